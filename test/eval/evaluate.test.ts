import { strict as assert } from 'node:assert';
import type { ImageDataset } from '../../lib/data/types';
import { evaluateEncoder, EmbeddingEncoder } from '../../lib/eval';
import type { Uint8Tensor } from '../../lib/tensor';
import { seededRandom } from './helpers';

/** Stand-in for contract D's Encoder: the flattened pixels scaled to [0, 1]. */
const pixelEncoder: EmbeddingEncoder = {
  async embed(images: Uint8Tensor) {
    const [n, h, w, c] = images.shape;
    return { data: Float32Array.from(images.data, (v) => v / 255), shape: [n, h * w * c] };
  },
};

/** 4x4 grayscale images: class c lights quadrant c, plus noise. */
function quadrants(n: number, seed: number): ImageDataset {
  const random = seededRandom(seed);
  const data = new Uint8Array(n * 16);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 4;
    for (let p = 0; p < 16; p++) {
      const quadrant = (Math.floor(p / 8) * 2) + (p % 4 >= 2 ? 1 : 0);
      data[i * 16 + p] = Math.min(255, (quadrant === labels[i] ? 200 : 0) + Math.floor(random() * 50));
    }
  }
  return { name: `quadrants-${seed}`, images: { data, shape: [n, 4, 4, 1] }, labels, classes: ['a', 'b', 'c', 'd'] };
}

describe('eval/evaluateEncoder', () => {
  it('embeds both sets and reports probe and kNN accuracy', async () => {
    const result = await evaluateEncoder(pixelEncoder, { train: quadrants(80, 1), test: quadrants(40, 2) });
    assert.equal(result.linearProbe?.testAccuracy, 1);
    assert.equal(result.knn?.accuracy, 1);
    assert.equal(result.classes, 4);
    assert.equal(result.reprDim, 16);
    assert.deepEqual(result.test, { name: 'quadrants-2', size: 40 });
  });

  it('runs only the requested methods and rejects a non-encoder', async () => {
    const result = await evaluateEncoder(pixelEncoder, { train: quadrants(8, 1), test: quadrants(4, 2), methods: ['knn'] });
    assert.equal(result.linearProbe, undefined);
    assert.ok(result.knn);
    await assert.rejects(evaluateEncoder({} as EmbeddingEncoder, { train: quadrants(8, 1), test: quadrants(4, 2) }), (e: Error) => e instanceof TypeError && /encoder/.test(e.message));
  });
});
