import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { linearProbe } from '../../lib/eval';
import { blobs, rows } from './helpers';

const reference = path.resolve(__dirname, '..', '..', '..', 'test', 'eval', 'probe_reference.py');

function pythonReference(x: number[][], y: Int32Array, classes: number, lambda: number) {
  const run = spawnSync('/usr/bin/python3', [reference], { input: JSON.stringify({ x, y: Array.from(y), classes, lambda }), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { weights: number[][]; bias: number[]; loss: number };
}

/** Gradient of (1/N) sum CE + (lambda/2)||W||^2 at (W, b), computed here from the definition. */
function objectiveGradient(z: number[][], y: Int32Array, w: Float64Array, b: Float64Array, k: number, lambda: number): number[] {
  const d = z[0].length;
  const grad = new Array<number>(k * d + k).fill(0);
  for (let i = 0; i < z.length; i++) {
    const logits = Array.from({ length: k }, (_, c) => b[c] + z[i].reduce((s, v, j) => s + v * w[c * d + j], 0));
    const max = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - max));
    const total = e.reduce((s, v) => s + v, 0);
    for (let c = 0; c < k; c++) {
      const r = e[c] / total - (y[i] === c ? 1 : 0);
      for (let j = 0; j < d; j++) grad[c * d + j] += (r * z[i][j]) / z.length;
      grad[k * d + c] += r / z.length;
    }
  }
  for (let c = 0; c < k * d; c++) grad[c] += lambda * w[c];
  return grad;
}

describe('eval/linearProbe', () => {
  it('solves the two-point case by hand: w * lambda = sigmoid(-2w), b = 0', async () => {
    const lambda = 0.1;
    const result = await linearProbe({ trainFeatures: { data: new Float32Array([3, 7]), shape: [2, 1] }, trainLabels: new Int32Array([0, 1]), lambda });
    // Standardized z = [-1, 1]; by symmetry W = [-w, w], b = 0 and J = log(1 + e^{-2w}) + lambda w^2.
    let lo = 0;
    let hi = 10;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (mid * lambda < 1 / (1 + Math.exp(2 * mid))) lo = mid;
      else hi = mid;
    }
    assert.ok(Math.abs(result.weights.data[1] - lo) < 1e-7, `${result.weights.data[1]} vs ${lo}`);
    assert.ok(Math.abs(result.weights.data[0] + lo) < 1e-7);
    assert.ok(Math.abs(result.bias.data[0]) < 1e-9 && Math.abs(result.bias.data[1]) < 1e-9);
    assert.ok(Math.abs(result.loss - (Math.log(1 + Math.exp(-2 * lo)) + lambda * lo * lo)) < 1e-10);
    assert.deepEqual(Array.from(result.mean.data), [5]);
    assert.deepEqual(Array.from(result.scale.data), [2]);
    assert.equal(result.trainAccuracy, 1);
  });

  it('meets the KKT condition (zero gradient, computed independently) and matches a numpy Newton fit', async () => {
    const { x, y } = blobs(60, 3, 3, 2.5, 7); // overlapping classes: a finite, interior optimum
    const lambda = 0.01;
    const result = await linearProbe({ trainFeatures: x, trainLabels: y, lambda });
    const z = rows(x).map((r) => r.map((v, j) => (v - result.mean.data[j]) / result.scale.data[j]));
    const grad = objectiveGradient(z, y, result.weights.data, result.bias.data, 3, lambda);
    assert.ok(Math.max(...grad.map(Math.abs)) < 1e-6, `KKT residual ${Math.max(...grad.map(Math.abs))}`);
    assert.ok(result.gradientMaxAbs < 1e-6);
    const ref = pythonReference(rows(x), y, 3, lambda);
    ref.weights.flat().forEach((v, i) => assert.ok(Math.abs(result.weights.data[i] - v) < 1e-5, `W[${i}] ${result.weights.data[i]} vs ${v}`));
    ref.bias.forEach((v, i) => assert.ok(Math.abs(result.bias.data[i] - v) < 1e-5, `b[${i}] ${result.bias.data[i]} vs ${v}`));
    assert.ok(Math.abs(result.loss - ref.loss) < 1e-9);
  });

  it('reaches 100% on linearly separable data, train and test', async () => {
    const train = blobs(200, 8, 5, 0.3, 1);
    const test = blobs(100, 8, 5, 0.3, 2);
    const result = await linearProbe({ trainFeatures: train.x, trainLabels: train.y, testFeatures: test.x, testLabels: test.y });
    assert.equal(result.trainAccuracy, 1);
    assert.equal(result.testAccuracy, 1);
    assert.deepEqual(Array.from(result.testPredictions), Array.from(test.y));
    assert.equal(result.classes, 5);
    assert.equal(result.lambda, 1e-4);
  });

  it('is deterministic and reports NaN test accuracy without a test set', async () => {
    const { x, y } = blobs(50, 4, 2, 1.5, 3);
    const a = await linearProbe({ trainFeatures: x, trainLabels: y });
    const b = await linearProbe({ trainFeatures: x, trainLabels: y });
    assert.deepEqual(a.weights.data, b.weights.data);
    assert.ok(Number.isNaN(a.testAccuracy));
  });

  it('leaves a constant feature unscaled and gives it zero weight', async () => {
    const data = new Float32Array([0, 5, 1, 5, 2, 5, 3, 5]);
    const result = await linearProbe({ trainFeatures: { data, shape: [4, 2] }, trainLabels: new Int32Array([0, 0, 1, 1]), lambda: 0.01 });
    assert.equal(result.scale.data[1], 1);
    assert.equal(result.weights.data[1], 0);
    assert.equal(result.weights.data[3], 0);
  });

  it('rejects bad input with errors naming the argument', async () => {
    const { x, y } = blobs(10, 2, 2, 1, 4);
    await assert.rejects(linearProbe({ trainFeatures: { data: new Float64Array(20), shape: [10, 2] } as never, trainLabels: y }), (e: Error) => e instanceof TypeError && /options\.trainFeatures\.data/.test(e.message));
    await assert.rejects(linearProbe({ trainFeatures: x, trainLabels: new Int32Array(9) }), (e: Error) => e instanceof RangeError && /options\.trainLabels\.length/.test(e.message));
    const nan = new Float32Array(x.data);
    nan[3] = NaN;
    await assert.rejects(linearProbe({ trainFeatures: { data: nan, shape: [10, 2] }, trainLabels: y }), (e: Error) => e instanceof RangeError && /trainFeatures\.data\[3\]/.test(e.message));
    await assert.rejects(linearProbe({ trainFeatures: x, trainLabels: y, testFeatures: { data: new Float32Array(3), shape: [1, 3] }, testLabels: new Int32Array(1) }), /testFeatures\.shape\[1\]/);
    await assert.rejects(linearProbe({ trainFeatures: x, trainLabels: y, lambda: -1 }), (e: Error) => e instanceof RangeError && /options\.lambda/.test(e.message));
    await assert.rejects(linearProbe({ trainFeatures: x, trainLabels: y, classes: 1 }), /trainLabels\[\d+\]|options\.classes/);
  });

  it('stops on an AbortSignal', async () => {
    const { x, y } = blobs(10, 2, 2, 1, 4);
    await assert.rejects(linearProbe({ trainFeatures: x, trainLabels: y, signal: AbortSignal.abort() }), (e: Error) => e.name === 'AbortError');
  });
});
