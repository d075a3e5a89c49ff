import { strict as assert } from 'node:assert';
import { knnClassify } from '../../lib/eval';
import { blobs } from './helpers';

describe('eval/knnClassify', () => {
  // Bank of 2-D points; cosines with the query (1, 0) are worked out by hand below.
  const bank = new Float32Array([
    2, 0, // class 0, cos 1
    0, 3, // class 1, cos 0
    1, 1, // class 1, cos 1/sqrt2
    -1, 0, // class 2, cos -1
    3, 4, // class 0, cos 3/5
  ]);
  const labels = new Int32Array([0, 1, 1, 2, 0]);
  const query = { data: new Float32Array([5, 0]), shape: [1, 2] };

  it('sums exp(cos / T) over the k nearest, per class (hand-worked)', async () => {
    const result = await knnClassify({ trainFeatures: { data: bank, shape: [5, 2] }, trainLabels: labels, testFeatures: query, k: 3, temperature: 0.5 });
    // k = 3 nearest: cos 1 (class 0), 1/sqrt2 (class 1), 3/5 (class 0).
    const expected = [Math.exp(1 / 0.5) + Math.exp(0.6 / 0.5), Math.exp(Math.SQRT1_2 / 0.5), 0];
    expected.forEach((v, c) => assert.ok(Math.abs(result.votes.data[c] - v) < 1e-5 * v + 1e-12, `class ${c}: ${result.votes.data[c]} vs ${v}`));
    assert.deepEqual(Array.from(result.predictions), [0]);
    assert.deepEqual(result.votes.shape, [1, 3]);
  });

  it('a low temperature lets the single closest point win; k > N uses the whole bank', async () => {
    // Query (1, 1.2): cos with (1,1) = 0.996 (class 1), (3,4) = 0.9995 (class 0), (0,3) = 0.768 (class 1).
    const q = { data: new Float32Array([1, 1.2]), shape: [1, 2] };
    const hot = await knnClassify({ trainFeatures: { data: bank, shape: [5, 2] }, trainLabels: labels, testFeatures: q, k: 500, temperature: 1 });
    assert.equal(hot.predictions[0], 1); // two class-1 neighbours outvote at T = 1
    const cold = await knnClassify({ trainFeatures: { data: bank, shape: [5, 2] }, trainLabels: labels, testFeatures: q, k: 500, temperature: 0.002 });
    assert.equal(cold.predictions[0], 0);
    const all = Array.from(hot.votes.data).reduce((s, v) => s + v, 0);
    const byHand = [[2, 0], [0, 3], [1, 1], [-1, 0], [3, 4]].reduce((s, [a, b]) => s + Math.exp((a * 1 + b * 1.2) / Math.hypot(a, b) / Math.hypot(1, 1.2)), 0);
    assert.ok(Math.abs(all - byHand) < 1e-5 * byHand);
  });

  it('breaks ties by the lowest class; a zero query has cosine 0 to everything', async () => {
    const result = await knnClassify({
      trainFeatures: { data: new Float32Array([1, 0, 0, 1]), shape: [2, 2] },
      trainLabels: new Int32Array([1, 0]),
      testFeatures: { data: new Float32Array([1, 1, 0, 0]), shape: [2, 2] },
      k: 2,
    });
    assert.deepEqual(Array.from(result.predictions), [0, 0]);
    assert.ok(Math.abs(result.votes.data[2] - 1) < 1e-12 && Math.abs(result.votes.data[3] - 1) < 1e-12); // exp(0/T) = 1
  });

  it('is invariant to feature scale, batch split, and classifies separable blobs perfectly', async () => {
    const train = blobs(300, 6, 4, 0.5, 11);
    const test = blobs(97, 6, 4, 0.5, 12);
    const a = await knnClassify({ trainFeatures: train.x, trainLabels: train.y, testFeatures: test.x, testLabels: test.y });
    assert.equal(a.accuracy, 1);
    assert.equal(a.k, 200);
    assert.equal(a.temperature, 0.1);
    const scaled = { data: train.x.data.map((v) => v * 7), shape: train.x.shape };
    const b = await knnClassify({ trainFeatures: scaled, trainLabels: train.y, testFeatures: test.x, testLabels: test.y, batchSize: 10 });
    assert.deepEqual(b.predictions, a.predictions);
    for (let i = 0; i < a.votes.data.length; i++) assert.ok(Math.abs(a.votes.data[i] - b.votes.data[i]) <= 1e-4 * a.votes.data[i] + 1e-9);
  });

  it('rejects bad input', async () => {
    const t = { data: bank, shape: [5, 2] };
    await assert.rejects(knnClassify({ trainFeatures: t, trainLabels: labels, testFeatures: { data: new Float32Array(3), shape: [1, 3] } }), /testFeatures\.shape\[1\]/);
    await assert.rejects(knnClassify({ trainFeatures: t, trainLabels: labels, testFeatures: query, k: 0 }), (e: Error) => e instanceof RangeError && /options\.k/.test(e.message));
    await assert.rejects(knnClassify({ trainFeatures: t, trainLabels: labels, testFeatures: query, temperature: 0 }), /options\.temperature/);
    await assert.rejects(knnClassify({ trainFeatures: t, trainLabels: new Int32Array([0, 1, -1, 0, 0]), testFeatures: query }), /trainLabels\[2\]/);
  });
});

describe('eval/nearestNeighbours', () => {
  it('returns the most similar rows in order, never the query itself with excludeSelf', async () => {
    const { nearestNeighbours } = await import('../../lib/eval');
    const bank = { data: new Float32Array([1, 0, 1, 0, 0, 1, 1, 1]), shape: [4, 2] }; // rows 0 and 1 identical
    const nn = await nearestNeighbours(bank, bank, { k: 2, excludeSelf: true });
    assert.deepEqual(Array.from(nn.indices.data.subarray(0, 2)), [1, 3]);
    assert.deepEqual(Array.from(nn.indices.data.subarray(2, 4)), [0, 3]);
    assert.ok(Math.abs(nn.similarities.data[0] - 1) < 1e-6 && Math.abs(nn.similarities.data[1] - Math.SQRT1_2) < 1e-6);
    await assert.rejects(nearestNeighbours(bank, { data: new Float32Array(2), shape: [1, 2] }, { k: 1, excludeSelf: true }), /excludeSelf/);
  });
});
