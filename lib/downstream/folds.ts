/** Seeded assignment of dataset indices to folds and index bookkeeping for the experiments. */
import { outOfRange } from '../errors';
import type { Uint8Tensor } from '../tensor';
import { assertInteger } from '../validate';

/**
 * Deals 0..n-1 into k folds of sizes differing by at most one: a seeded permutation (mulberry32-
 * driven Fisher–Yates; the same seed gives the same folds on every platform) cut into k runs,
 * each sorted ascending.
 */
export function makeFolds(n: number, k: number, seed: number): Int32Array[] {
  assertInteger('n', n, { min: 1 });
  assertInteger('k', k, { min: 2, max: n });
  assertInteger('seed', seed, { min: 0, max: 2 ** 32 - 1 });
  const order = seededPermutation(n, seed);
  return Array.from({ length: k }, (_, j) => Int32Array.from(order.subarray(Math.floor((j * n) / k), Math.floor(((j + 1) * n) / k))).sort());
}

/** A permutation of 0..n-1 from `seed` (Fisher–Yates driven by mulberry32). */
export function seededPermutation(n: number, seed: number): Int32Array {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** 0..n-1 without the given indices, ascending. */
export function complement(n: number, removed: ArrayLike<number>): Int32Array {
  const drop = new Uint8Array(n);
  for (let i = 0; i < removed.length; i++) {
    if (removed[i] < 0 || removed[i] >= n) throw outOfRange(`removed[${i}]`, `an index in [0, ${n})`, removed[i]);
    drop[removed[i]] = 1;
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!drop[i]) out.push(i);
  return Int32Array.from(out);
}

/** The images at the given indices (copied, in order). */
export function gatherImages(images: Uint8Tensor, indices: ArrayLike<number>): Uint8Tensor {
  const [n, h, w, c] = images.shape;
  const size = h * w * c;
  const data = new Uint8Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i];
    if (!Number.isInteger(idx) || idx < 0 || idx >= n) throw outOfRange(`indices[${i}]`, `an index in [0, ${n})`, idx);
    data.set(images.data.subarray(idx * size, (idx + 1) * size), i * size);
  }
  return { data, shape: [indices.length, h, w, c] };
}
