/**
 * Stand-ins for training and scoring that keep exact books: image i carries its dataset index in
 * its first two pixels, a "trained" encoder remembers the indices it was shown (read back from the
 * pixels, not from the request), and scoring gives L = 0 for a seen point and 1 otherwise, so
 * m = L_g - L_f is 1 exactly when f saw the point and g did not.
 */
import type { ExperimentHooks, TrainedEncoder } from '../../lib/downstream/hooks';
import type { Uint8Tensor } from '../../lib/tensor';

export function indexedImages(n: number, size = 4): Uint8Tensor {
  const data = new Uint8Array(n * size * size);
  for (let i = 0; i < n; i++) {
    data[i * size * size] = i % 256;
    data[i * size * size + 1] = Math.floor(i / 256);
    for (let p = 2; p < size * size; p++) data[i * size * size + p] = (i * 7 + p) % 256;
  }
  return { data, shape: [n, size, size, 1] };
}

export function indexOf(images: Uint8Tensor, i: number): number {
  const size = images.shape[1] * images.shape[2] * images.shape[3];
  return images.data[i * size] + 256 * images.data[i * size + 1];
}

export interface FakeEncoder extends TrainedEncoder {
  name: string;
  seed: number;
  seen: Set<number>;
  disposed: boolean;
}

export function fakeHooks(log: { trained: FakeEncoder[] } = { trained: [] }): ExperimentHooks & { log: typeof log } {
  return {
    log,
    async trainEncoder(request) {
      const seen = new Set<number>();
      for (let i = 0; i < request.images.shape[0]; i++) seen.add(indexOf(request.images, i));
      const encoder: FakeEncoder = {
        name: request.name,
        seed: request.seed,
        seen,
        disposed: false,
        // A representation that depends on what the encoder saw and its seed (for evaluation).
        async embed(images: Uint8Tensor) {
          const n = images.shape[0];
          const data = new Float32Array(n * 2);
          for (let i = 0; i < n; i++) {
            const idx = indexOf(images, i);
            data[2 * i] = 1 + (idx % 3);
            data[2 * i + 1] = seen.has(idx) ? 0.5 : 0.5 + (request.seed % 7) / 10;
          }
          return { data, shape: [n, 2] };
        },
        dispose() {
          encoder.disposed = true;
        },
      };
      log.trained.push(encoder);
      return encoder;
    },
    async scorePoints(request) {
      const n = request.images.shape[0];
      const f = request.f as FakeEncoder;
      const g = request.g as FakeEncoder;
      const out = { lossF: new Float64Array(n), lossG: new Float64Array(n), m: new Float64Array(n), se: new Float64Array(n), count: new Int32Array(n).fill(15) };
      for (let i = 0; i < n; i++) {
        const idx = indexOf(request.images, i);
        if (idx !== request.itemIds[i]) throw new Error(`image ${i} is point ${idx} but itemIds says ${request.itemIds[i]}`);
        out.lossF[i] = f.seen.has(idx) ? 0 : 1;
        out.lossG[i] = g.seen.has(idx) ? 0 : 1;
        out.m[i] = out.lossG[i] - out.lossF[i];
      }
      return out;
    },
  };
}
