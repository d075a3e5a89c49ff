/**
 * A small seeded permutation for dealing splits: SplitMix64 (Steele, Lea & Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014) drives a Fisher–Yates shuffle (Knuth, TAOCP vol. 2,
 * Algorithm 3.4.2P). The same seed gives the same permutation on every platform: all arithmetic is
 * exact BigInt arithmetic modulo 2^64, then one exact conversion to a 53-bit fraction.
 */

const MASK64 = (1n << 64n) - 1n;
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;

/** The SplitMix64 finalizer applied to the counter `seed + (k + 1) * gamma`: the k-th output. */
export function splitMix64(seed: number | bigint, k: number): bigint {
  let z = (BigInt(seed) + BigInt(k + 1) * GOLDEN_GAMMA) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** The k-th uniform double in [0, 1) of stream `seed`: the top 53 bits of SplitMix64's output. */
export function uniform(seed: number | bigint, k: number): number {
  return Number(splitMix64(seed, k) >> 11n) / 2 ** 53;
}

/**
 * A permutation of 0..n-1 determined by `seed` alone (Fisher–Yates, draw k for position n-1-k).
 * `floor(u * (i + 1))` has a bias below 2^-33 for i < 2^20 points: irrelevant for dealing splits.
 */
export function seededPermutation(n: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1, k = 0; i > 0; i--, k++) {
    const j = Math.floor(uniform(seed, k) * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}
