/** Small deterministic data makers for the evaluation tests. */
import type { Float32Tensor } from '../../lib/tensor';

/** A seeded uniform generator (mulberry32), for test data only. */
export { rng as seededRandom } from '../augment/helpers';
import { rng as seededRandom } from '../augment/helpers';

export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** N points in D dims around one centre per class (centres 4 apart on the axes): separable when spread is small. */
export function blobs(n: number, d: number, classes: number, spread: number, seed: number): { x: Float32Tensor; y: Int32Array } {
  const random = seededRandom(seed);
  const data = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % classes;
    for (let j = 0; j < d; j++) data[i * d + j] = (j === y[i] % d ? 4 : 0) + (y[i] >= d ? -4 : 0) + spread * gaussian(random);
  }
  return { x: { data, shape: [n, d] }, y };
}

export function rows(t: Float32Tensor): number[][] {
  const [n, d] = t.shape;
  return Array.from({ length: n }, (_, i) => Array.from(t.data.subarray(i * d, (i + 1) * d)));
}
