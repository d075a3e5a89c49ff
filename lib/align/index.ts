/**
 * Alignment of representation views, the quantity SSLMem is built from (Wang et al., "Memorization
 * in Self-Supervised Learning Improves Downstream Generalization", ICLR 2024): the alignment loss of
 * an encoder on a point is the expected distance between the L2-normalized representations of two
 * augmented views of it, and the memorization score is m(x) = L(g, x) - L(f, x), f trained with x,
 * g without. {@link align} gives one encoder's per-point statistics, {@link alignDifference} the
 * paired difference between two encoders on the same views.
 *
 * Native kernels (native/kernels/align.h): float64 accumulation, AVX2/AVX-512 chosen once at load,
 * multi-threaded over points, one pass over memory; the work runs off the main thread.
 */
import { kernels } from '../binding';
import { invalidType, outOfRange, withCallSite } from '../errors';
import { assertTensor } from '../tensor';
import { assertBoolean, assertObject, assertOneOf, assertThreads, isPlainObject } from '../validate';
import { AlignMetric, alignMetrics, Pairing, pairings } from './metrics';
import type { AlignOptions, AlignResult, DifferenceResult, ReprsTensor } from './types';

export * from './metrics';
export type * from './types';

interface ResolvedOptions {
  metric: AlignMetric;
  pairing: Pairing;
  returnPairs: boolean;
  checkFinite: boolean;
  threads: number;
}

function resolveOptions(options: AlignOptions | undefined): ResolvedOptions {
  const given: unknown = options ?? {};
  assertObject('options', given);
  const o = given as AlignOptions;
  const resolved: ResolvedOptions = {
    metric: o.metric ?? 'l2-normalized',
    pairing: o.pairing ?? 'anchor',
    returnPairs: o.returnPairs ?? false,
    checkFinite: o.checkFinite ?? true,
    threads: o.threads ?? 0,
  };
  assertOneOf('options.metric', resolved.metric, alignMetrics);
  assertOneOf('options.pairing', resolved.pairing, pairings);
  assertBoolean('options.returnPairs', resolved.returnPairs);
  assertBoolean('options.checkFinite', resolved.checkFinite);
  assertThreads('options.threads', resolved.threads);
  return resolved;
}

/** Checks a [N, V, D] float32 (or float16-bits) tensor with N >= 1, V >= 2, D >= 1. */
function assertReprs(name: string, value: unknown): asserts value is ReprsTensor {
  const halves = isPlainObject(value) && value.data instanceof Uint16Array;
  if (halves) assertTensor(name, value, Uint16Array, 3);
  else assertTensor(name, value, Float32Array, 3);
  const [n, v, d] = (value as ReprsTensor).shape;
  if (n < 1) throw outOfRange(`${name}.shape[0]`, 'at least 1 point', n);
  if (v < 2) throw outOfRange(`${name}.shape[1]`, 'at least 2 views for every pairing', v);
  if (d < 1) throw outOfRange(`${name}.shape[2]`, 'at least 1 dimension', d);
}

/**
 * Per-point alignment statistics of representations `reprs` [N, V, D] (N points, V views each,
 * D dimensions; float32, or float16 as {@link Float16BitsTensor}): for each point, the mean, sample standard deviation and count of the
 * metric over the view pairs its pairing selects. Defaults follow SSLMem (Wang et al., ICLR 2024):
 * L2 distance between L2-normalized representations, view 0 (clean) as the anchor, as in the
 * authors' code.
 *
 * @example
 * const { mean } = await align(reprs, { metric: 'l2-normalized', pairing: 'anchor' });
 * @throws TypeError when reprs is not a {data: Float32Array | Uint16Array, shape} tensor; RangeError for a rank
 * other than 3, N = 0, V < 2, D = 0, or (unless `checkFinite: false`) NaN/Infinity, naming the first
 * bad row ("reprs row [point 3, view 1] contains NaN").
 */
export async function align(reprs: ReprsTensor, options?: AlignOptions): Promise<AlignResult> {
  assertReprs('reprs', reprs);
  const o = resolveOptions(options);
  const result = await withCallSite(kernels().alignPairStats(reprs, o));
  return { metric: o.metric, pairing: o.pairing, ...result };
}

/**
 * The raw SSLMem estimate per point: the paired difference d_g - d_f between encoder g's and
 * encoder f's pair values on the SAME views (f [N, V, D] and g [N, V, D] embed identical view
 * images), averaged over pairs, with its standard error. Pairing pair by pair uses common random
 * numbers: the augmentation noise shared by both encoders cancels, so the standard error is far
 * smaller than that of two independently estimated means. With f trained on the point and g not,
 * meanDiff is the memorization score m(x) = L(g, x) - L(f, x) of Wang et al. (ICLR 2024) for a
 * distance metric (for `'cosine-similarity'` the sign is reversed).
 *
 * @throws as {@link align}, a RangeError when g's shape differs from f's, and a TypeError when
 * their dtypes differ.
 */
export async function alignDifference(f: ReprsTensor, g: ReprsTensor, options?: AlignOptions): Promise<DifferenceResult> {
  assertReprs('f', f);
  assertReprs('g', g);
  if (f.data.constructor !== g.data.constructor) {
    throw invalidType('g.data', `a ${f.data.constructor.name} like f.data`, g.data);
  }
  if (f.shape.some((d, i) => d !== g.shape[i])) {
    throw outOfRange('g.shape', `the shape of f [${f.shape.join(', ')}]`, `[${g.shape.join(', ')}]`, true);
  }
  const o = resolveOptions(options);
  const result = await withCallSite(kernels().alignDifference(f, g, o));
  return { metric: o.metric, pairing: o.pairing, ...result };
}

/** The alignment backend chosen when the addon loaded ("avx512", "avx2" or "serial") and all available here. */
export function alignBackends(): { selected: string; available: string[] } {
  return kernels().alignBackends();
}
