/**
 * Memorization against atypicality. The SSLMem paper (Sec. 5) finds the most memorized points to
 * be atypical ones; here atypicality is measured in the representation of an INDEPENDENT encoder
 * (one that did not see the scored points the way f did, e.g. g, or an encoder trained on other
 * data), so the measure is not itself shaped by f's memorization:
 *
 *   atypicality(x) = mean over the k nearest neighbours x' of x of (1 - cos(h(x), h(x')))
 *
 * with h the independent encoder and neighbours taken among the scored set itself (x excluded),
 * or, class-conditionally, among the points of x's own class (a kNN density estimate of
 * p(x | y): low density = atypical for its class, cf. Feldman & Zhang 2020's long-tail view).
 * k = 10 by default: small enough to be local, large enough to average out single duplicates.
 */
import { invalidType, outOfRange } from '../errors';
import { assertFeatures, assertLabels } from '../eval/checks';
import type { EmbeddingEncoder } from '../eval/evaluate';
import { nearestNeighbours } from '../eval/neighbours';
import { assertTensor } from '../tensor';
import type { Float32Tensor, Uint8Tensor } from '../tensor';
import { assertArrayLike, assertBoolean, assertFunction, assertInteger, assertObject, assertOptions } from '../validate';
import { spearman, SpearmanResult } from './rank';

/** Neighbours averaged per point (see the module comment). */
export const DEFAULT_TYPICALITY_K = 10;
/** Bins of the binned summary (deciles). */
export const DEFAULT_TYPICALITY_BINS = 10;

export interface AtypicalityOptions {
  /** Neighbours averaged. Default 10. */
  k?: number;
  /** Labels of the rows; needed when classConditional. */
  labels?: Int32Array;
  /** Neighbours only among rows of the same class. Default false. */
  classConditional?: boolean;
  signal?: AbortSignal;
}

/** Mean cosine distance of each row to its k nearest other rows (see the module comment). */
export async function knnAtypicality(features: Float32Tensor, options: AtypicalityOptions = {}): Promise<Float64Array> {
  assertFeatures('features', features);
  assertOptions('options', options);
  const k = options.k ?? DEFAULT_TYPICALITY_K;
  assertInteger('options.k', k, { min: 1 });
  const classConditional = options.classConditional ?? false;
  assertBoolean('options.classConditional', classConditional);
  const n = features.shape[0];
  const out = new Float64Array(n);
  if (!classConditional) {
    if (n < 2) throw outOfRange('features.shape[0]', 'at least 2 rows', n);
    await fillAtypicality(features, Array.from({ length: n }, (_, i) => i), k, out, options.signal);
    return out;
  }
  if (options.labels === undefined) throw outOfRange('options.labels', 'labels when classConditional is true', 'undefined', true);
  assertLabels('options.labels', options.labels, n);
  const byClass = new Map<number, number[]>();
  options.labels.forEach((label, i) => {
    if (!byClass.has(label)) byClass.set(label, []);
    byClass.get(label)!.push(i);
  });
  for (const [label, rows] of [...byClass.entries()].sort((a, b) => a[0] - b[0])) {
    if (rows.length < 2) throw outOfRange(`options.labels (class ${label})`, 'at least 2 points per class for class-conditional neighbours', `${rows.length}`, true);
    await fillAtypicality(gatherRows(features, rows), rows, k, out, options.signal);
  }
  return out;
}

async function fillAtypicality(features: Float32Tensor, rows: number[], k: number, out: Float64Array, signal?: AbortSignal): Promise<void> {
  const nn = await nearestNeighbours(features, features, { k, excludeSelf: true, signal });
  const kk = nn.similarities.shape[1];
  rows.forEach((row, i) => {
    let sum = 0;
    for (let j = 0; j < kk; j++) sum += 1 - nn.similarities.data[i * kk + j];
    out[row] = sum / kk;
  });
}

function gatherRows(features: Float32Tensor, rows: number[]): Float32Tensor {
  const d = features.shape[1];
  const data = new Float32Array(rows.length * d);
  rows.forEach((row, i) => data.set(features.data.subarray(row * d, (row + 1) * d), i * d));
  return { data, shape: [rows.length, d] };
}

export interface TypicalityBin {
  /** 0-based bin, in increasing atypicality. */
  bin: number;
  /** Atypicality range of the points in the bin. */
  from: number;
  to: number;
  count: number;
  meanAtypicality: number;
  /** Mean memorization score of the bin and its standard error (std ddof 1 / sqrt(count)). */
  meanM: number;
  se: number;
}

/**
 * Sorts the points by atypicality (ties by index) and cuts them into `bins` groups of equal size
 * (bin b holds sorted positions floor(b N / bins) .. floor((b+1) N / bins) - 1): the deciles of
 * atypicality by default; reports mean m with its standard error per bin.
 */
export function binnedSummary(atypicality: ArrayLike<number>, m: ArrayLike<number>, bins = DEFAULT_TYPICALITY_BINS): TypicalityBin[] {
  assertArrayLike('atypicality', atypicality);
  assertArrayLike('m', m);
  const n = atypicality.length;
  if (m.length !== n) throw outOfRange('m.length', `${n} (one score per point)`, m.length);
  assertInteger('bins', bins, { min: 1, max: Math.max(1, n) });
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => atypicality[a] - atypicality[b] || a - b);
  const out: TypicalityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const members = order.slice(Math.floor((b * n) / bins), Math.floor(((b + 1) * n) / bins));
    const count = members.length;
    const meanM = members.reduce((s, i) => s + m[i], 0) / count;
    const variance = count > 1 ? members.reduce((s, i) => s + (m[i] - meanM) ** 2, 0) / (count - 1) : NaN;
    out.push({
      bin: b,
      from: atypicality[members[0]],
      to: atypicality[members[count - 1]],
      count,
      meanAtypicality: members.reduce((s, i) => s + atypicality[i], 0) / count,
      meanM,
      se: Math.sqrt(variance / count),
    });
  }
  return out;
}

export interface TypicalityOptions extends AtypicalityOptions {
  /** The independent encoder h (e.g. g). */
  encoder: EmbeddingEncoder;
  /** The scored images, uint8 NHWC. */
  images: Uint8Tensor;
  /** Memorization score of each image. */
  m: ArrayLike<number>;
  /** Bins of the summary. Default 10 (deciles). */
  bins?: number;
  /** Images per forward pass. */
  batchSize?: number;
  /** Describes the encoder in the output (e.g. "g" or a file name). */
  encoderName?: string;
}

export interface TypicalityResult {
  format: 'sslmem-typicality/1';
  k: number;
  classConditional: boolean;
  encoder: string;
  atypicality: Float64Array;
  /** Spearman correlation of atypicality with m (average ranks for ties). */
  spearman: SpearmanResult;
  bins: TypicalityBin[];
  /** The same correlation within other split groups, as controls (see writeRunTypicality). */
  controls?: TypicalityControl[];
}

/** Spearman's rho of atypicality with m within one split group. */
export interface TypicalityControl {
  group: string;
  spearman: SpearmanResult;
}

/** Embeds the scored images with the independent encoder and relates atypicality to m. */
export async function typicality(options: TypicalityOptions): Promise<TypicalityResult> {
  assertObject('options', options);
  assertTensor('options.images', options.images, Uint8Array, 4);
  if (options.encoder === null || typeof options.encoder !== 'object') throw invalidType('options.encoder', 'an encoder (with embed())', options.encoder);
  assertFunction('options.encoder.embed', options.encoder.embed);
  if (options.m === null || typeof options.m !== 'object' || typeof options.m.length !== 'number') {
    throw invalidType('options.m', 'an array of scores (one per image)', options.m);
  }
  const n = options.images.shape[0];
  if (options.m.length !== n) throw outOfRange('options.m.length', `${n} (one score per image)`, options.m.length);
  const features = await options.encoder.embed(options.images, options.batchSize ? { batchSize: options.batchSize } : undefined);
  const atypicality = await knnAtypicality(features, options);
  const bins = options.bins ?? Math.min(DEFAULT_TYPICALITY_BINS, n);
  return {
    format: 'sslmem-typicality/1',
    k: Math.min(options.k ?? DEFAULT_TYPICALITY_K, n - 1),
    classConditional: options.classConditional ?? false,
    encoder: options.encoderName ?? 'independent encoder',
    atypicality,
    spearman: spearman(atypicality, options.m),
    bins: binnedSummary(atypicality, options.m, bins),
  };
}

/** JSON form written to a run directory as typicality.json (indices: the scored points' dataset indices). */
export function typicalityJson(result: TypicalityResult, indices: ArrayLike<number>): string {
  return (
    JSON.stringify(
      { ...result, atypicality: Array.from(result.atypicality), indices: Array.from(indices) },
      (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      2,
    ) + '\n'
  );
}
