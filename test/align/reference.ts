/**
 * Test helpers for the alignment kernels: a seeded generator of representation tensors (random
 * and adversarial), and a float64 reference written straight from the definitions in
 * native/kernels/align.h (no shared code with the kernels).
 */
import type { AlignMetric, Pairing } from '../../lib/align';
import type { Float32Tensor } from '../../lib/tensor';
import { mulberry32 } from '../support/mulberry32';

const EPS = 1e-12;

/**
 * Absolute tolerance floors per metric against a float64 reference (align.h: products exact in
 * float64, summation error ~D 2^-53): 1e-13 for cosines (differences of O(1) sums), 1e-14 for
 * normalized distances, none for raw distances (relative tolerance only).
 */
export const ALIGN_ATOL: Record<AlignMetric, number> = {
  'cosine-similarity': 1e-13,
  'cosine-distance': 1e-13,
  'l2-normalized': 1e-14,
  angular: 1e-14,
  l2: 0,
  'squared-l2': 0,
};

/** mulberry32: a small seeded uniform generator in [0, 1). */
export function uniform(seed: number): () => number {
  return mulberry32(seed);
}

/** Standard normal samples (Box-Muller) from a seeded uniform generator. */
export function gaussian(seed: number): () => number {
  const u = uniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** [N, V, D] with standard normal entries. */
export function randomReprs(n: number, v: number, d: number, seed: number): Float32Tensor {
  const g = gaussian(seed);
  const data = new Float32Array(n * v * d);
  for (let i = 0; i < data.length; i++) data[i] = g();
  return { data, shape: [n, v, d] };
}

/** Row view (point p, view v) of a tensor. */
export function row(t: Float32Tensor, p: number, v: number): Float32Array {
  const [, views, d] = t.shape;
  return t.data.subarray((p * views + v) * d, (p * views + v + 1) * d);
}

/**
 * Named adversarial data sets, each [N, V, D]: huge and tiny norms (1e30, 1e-30, mixed in one
 * point), near-identical views (differences of a few float32 ulps), zero vectors, D = 1, V = 2.
 */
export function adversarialSets(): Record<string, Float32Tensor> {
  const sets: Record<string, Float32Tensor> = {};
  sets.random = randomReprs(7, 5, 37, 1);
  const scaled = (t: Float32Tensor, scale: (p: number, v: number) => number): Float32Tensor => {
    const out = { data: new Float32Array(t.data), shape: [...t.shape] };
    const [n, v] = t.shape;
    for (let p = 0; p < n; p++) for (let w = 0; w < v; w++) row(out, p, w).forEach((x, k, r) => (r[k] = x * scale(p, w)));
    return out;
  };
  sets.huge = scaled(randomReprs(4, 4, 19, 2), () => 1e30);
  sets.tiny = scaled(randomReprs(4, 4, 19, 3), () => 1e-30);
  sets.mixedScales = scaled(randomReprs(5, 4, 23, 4), (p, v) => [1e30, 1e-30, 1, 1e-3][(p + v) % 4]);
  // Views 1.. differ from view 0 by one or two ulps in a few coordinates: distances ~1e-7.
  const near = randomReprs(6, 4, 41, 5);
  const bump = uniform(6);
  for (let p = 0; p < 6; p++) {
    const anchor = row(near, p, 0);
    for (let v = 1; v < 4; v++) {
      const r = row(near, p, v);
      r.set(anchor);
      for (let k = 0; k < 3; k++) {
        const at = Math.floor(bump() * r.length);
        r[at] = Math.fround(r[at] * (1 + (bump() < 0.5 ? -1 : 1) * 2 ** -23 * (1 + k)));
      }
    }
  }
  sets.nearIdentical = near;
  const zeros = randomReprs(3, 4, 16, 7);
  row(zeros, 0, 0).fill(0); // zero anchor
  row(zeros, 1, 2).fill(0); // zero augmented view
  row(zeros, 2, 0).fill(0); // two zero views in one point
  row(zeros, 2, 1).fill(0);
  sets.zeros = zeros;
  sets.d1 = randomReprs(9, 3, 1, 8);
  sets.v2 = randomReprs(8, 2, 33, 9);
  sets.denormal = scaled(randomReprs(3, 3, 8, 10), (p, v) => (v === 1 ? 1e-40 : 1));
  return sets;
}

/** View pairs of a pairing, written from the definitions (independent of lib/align/metrics.ts). */
export function referencePairs(pairing: Pairing, views: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < views; i++) {
    for (let j = i + 1; j < views; j++) {
      if (pairing === 'all-pairs' || (pairing === 'anchor' && i === 0) || (pairing === 'pairs' && i % 2 === 0 && j === i + 1)) {
        out.push([i, j]);
      }
    }
  }
  return out;
}

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k] * x[k];
  return Math.sqrt(s);
}

function normalize(x: Float32Array): Float64Array {
  const s = Math.max(norm(x), EPS);
  return Float64Array.from(x, (v) => v / s);
}

/** One metric value between rows x and y, in float64, from the definitions. */
export function referenceValue(metric: AlignMetric, x: Float32Array, y: Float32Array): number {
  const xh = normalize(x), yh = normalize(y);
  const cos = () => xh.reduce((s, v, k) => s + v * yh[k], 0);
  const dist = (a: ArrayLike<number>, b: ArrayLike<number>, sign: number) => {
    let s = 0;
    for (let k = 0; k < a.length; k++) s += (a[k] - sign * b[k]) ** 2;
    return Math.sqrt(s);
  };
  switch (metric) {
    case 'cosine-similarity':
      return cos();
    case 'cosine-distance':
      return 1 - cos();
    case 'l2-normalized':
      return dist(xh, yh, 1);
    case 'l2':
      return dist(x, y, 1);
    case 'squared-l2':
      return dist(x, y, 1) ** 2;
    case 'angular':
      if (norm(x) >= EPS && norm(y) >= EPS) return 2 * Math.atan2(dist(xh, yh, 1), dist(xh, yh, -1));
      return Math.acos(Math.min(1, Math.max(-1, cos())));
  }
}

/** Reference pair values [N * P] and per-point mean / sample std (ddof 1). */
export function referenceAlign(t: Float32Tensor, metric: AlignMetric, pairing: Pairing) {
  const [n, v] = t.shape;
  const pairs = referencePairs(pairing, v);
  const values = new Float64Array(n * pairs.length);
  const mean = new Float64Array(n), std = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    pairs.forEach(([i, j], k) => (values[p * pairs.length + k] = referenceValue(metric, row(t, p, i), row(t, p, j))));
    const own = values.subarray(p * pairs.length, (p + 1) * pairs.length);
    [mean[p], std[p]] = meanStd(own);
  }
  return { count: pairs.length, values, mean, std };
}

/** Mean and sample standard deviation (ddof 1). */
export function meanStd(values: ArrayLike<number>): [number, number] {
  let m = 0;
  for (let k = 0; k < values.length; k++) m += values[k];
  m /= values.length;
  let ss = 0;
  for (let k = 0; k < values.length; k++) ss += (values[k] - m) ** 2;
  return [m, values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : NaN];
}

/**
 * Asserts |actual - expected| <= atol + rtol |expected| element-wise (NaN matches NaN, infinities
 * must be equal), naming the first failing index.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number | ArrayLike<number>,
  what: string,
): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  for (let k = 0; k < actual.length; k++) {
    const a = actual[k], e = expected[k], tol = typeof atol === 'number' ? atol : atol[k];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a === e) continue;
    } else if (Math.abs(a - e) <= tol + rtol * Math.abs(e)) continue;
    throw new Error(`${what}[${k}]: ${a} vs expected ${e} (|diff| ${Math.abs(a - e)}, rtol ${rtol}, atol ${tol})`);
  }
}
