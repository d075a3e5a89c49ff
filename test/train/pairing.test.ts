/**
 * The paired design's promise at the training level: an image's place in every epoch's order and
 * its augmentation streams follow its item id (its dataset index), not its position in the training
 * set, so two runs that share images treat them alike. Shown exactly: the same images given in
 * another order with the same ids train bit-identical encoders; without ids they do not.
 */
import { strict as assert } from 'node:assert';
import { Encoder, train } from '../../lib';
import type { Uint8Tensor } from '../../lib/tensor';
import { fashionMnist, maxAbsDiff } from './helpers';

function permuted(images: Uint8Tensor, order: number[]): Uint8Tensor {
  const size = images.shape[1] * images.shape[2] * images.shape[3];
  const data = new Uint8Array(order.length * size);
  order.forEach((from, to) => data.set(images.data.subarray(from * size, (from + 1) * size), to * size));
  return { data, shape: [order.length, images.shape[1], images.shape[2], images.shape[3]] };
}

describe('train: item ids key the order and the views (paired encoders)', function () {
  this.timeout(300_000);
  const data = fashionMnist('train', 64);
  const n = 64;
  const order = Array.from({ length: n }, (_, i) => (i * 37 + 11) % n); // a fixed permutation
  const ids = Array.from({ length: n }, (_, i) => 1000 + 3 * i); // e.g. dataset indices
  const common = {
    encoder: { architecture: 'pooled-cnn' as const, width: 0.25 },
    method: 'simclr' as const,
    methodOptions: { temperature: 0.2, projectorDims: [64, 32] },
    pipeline: 'grayscale-28',
    epochs: 2,
    batchSize: 16,
    optimizer: { name: 'adam' as const, lr: 1e-3 },
    seed: 3,
    threads: 1,
  };

  it('the same images in another order with the same ids give a bit-identical encoder; without ids they differ', async () => {
    const a = await train({ ...common, images: data.images, itemIds: ids });
    const b = await train({ ...common, images: permuted(data.images, order), itemIds: order.map((i) => ids[i]) });
    const c = await train({ ...common, images: permuted(data.images, order) });
    const ea = await a.encoder.embed(data.images);
    const eb = await b.encoder.embed(data.images);
    const ec = await c.encoder.embed(data.images);
    assert.equal(maxAbsDiff(ea.data, eb.data), 0);
    assert.deepEqual(a.history.map((h) => h.loss), b.history.map((h) => h.loss));
    assert.ok(maxAbsDiff(ea.data, ec.data) > 1e-4, 'positions as keys should change the run');
    for (const r of [a, b, c]) r.encoder.dispose();
  });

  it('pooled-cnn: 512-d representation after BN-ReLU (non-negative), seeded initialization, 8x8 minimum input', async () => {
    const e1 = Encoder.create({ architecture: 'pooled-cnn', inputShape: [1, 28, 28], seed: 5 });
    const e2 = Encoder.create({ architecture: 'pooled-cnn', inputShape: [1, 28, 28], seed: 5 });
    assert.equal(e1.description.reprDim, 512);
    const x = await e1.embed(data.images);
    assert.deepEqual(x.shape, [n, 512]);
    assert.ok(x.data.every((v) => v >= 0));
    assert.ok(x.data.some((v) => v > 0));
    assert.equal(maxAbsDiff(x.data, (await e2.embed(data.images)).data), 0);
    assert.throws(() => Encoder.create({ architecture: 'pooled-cnn', inputShape: [1, 4, 4], seed: 0 }), /H and W >= 8 for pooled-cnn/);
    e1.dispose();
    e2.dispose();
  });

  it('bad item ids are rejected naming the argument', async () => {
    await assert.rejects(train({ ...common, images: data.images, itemIds: ids.slice(1) }), /options\.itemIds\.length/);
    await assert.rejects(train({ ...common, images: data.images, itemIds: ids.map((v, i) => (i === 5 ? ids[4] : v)) }), /distinct ids for options\.itemIds\[5\]/);
    await assert.rejects(train({ ...common, images: data.images, itemIds: ids.map((v, i) => (i === 2 ? -1 : v)) }), /options\.itemIds\[2\]/);
  });
});
