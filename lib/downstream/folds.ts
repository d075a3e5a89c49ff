/** Seeded assignment of dataset indices to folds and index bookkeeping for the experiments. */
import { outOfRange } from '../errors';
import { seededPermutation } from '../score/random';
import { assertInteger } from '../validate';

/**
 * Deals 0..n-1 into k folds of sizes differing by at most one: the splits' seeded permutation
 * (SplitMix64-driven Fisher–Yates, lib/score/random.ts; the same seed gives the same folds on every
 * platform) cut into k runs, each sorted ascending.
 */
export function makeFolds(n: number, k: number, seed: number): Int32Array[] {
  assertInteger('n', n, { min: 1 });
  assertInteger('k', k, { min: 2, max: n });
  assertInteger('seed', seed, { min: 0, max: 2 ** 32 - 1 });
  const order = seededPermutation(n, seed);
  return Array.from({ length: k }, (_, j) => Int32Array.from(order.subarray(Math.floor((j * n) / k), Math.floor(((j + 1) * n) / k))).sort());
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

