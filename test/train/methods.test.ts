/**
 * The method registry (native/torch/methods): what it reports against the papers' values, and
 * that the options a method does not have are refused on both sides of the boundary.
 */
import { strict as assert } from 'node:assert';
import { Encoder, findMethod, listMethods, train } from '../../lib';
import { torch } from '../../lib/binding';
import type { NativeTrainOptions } from '../../lib/train/native';

/** The papers' head sizes and hyper-parameter defaults, written out independently of the registry. */
const papers: Record<string, { projector: number[]; predictor: number[]; target: string; minBatch: number; defaults: Record<string, number> }> = {
  simclr: { projector: [512, 128], predictor: [], target: '', minBatch: 2, defaults: { temperature: 0.5 } }, // Chen et al. 2020, B.9
  byol: { projector: [4096, 256], predictor: [4096, 256], target: 'tauBase', minBatch: 1, defaults: { tauBase: 0.996 } }, // Grill et al. 2020, 3.2
  simsiam: { projector: [2048, 2048, 2048], predictor: [512, 2048], target: '', minBatch: 1, defaults: {} }, // Chen & He 2021
  vicreg: { projector: [8192, 8192, 8192], predictor: [], target: '', minBatch: 2, defaults: { invariance: 25, variance: 25, covariance: 1 } }, // Bardes et al. 2022
};

const images = { data: new Uint8Array(8 * 28 * 28).map((_, i) => (i * 37) % 256), shape: [8, 28, 28, 1] };

describe('train: the method registry', () => {
  it("reports every method with the paper's heads and defaults, sorted by name", () => {
    const methods = listMethods();
    assert.deepEqual(methods.map((m) => m.name), [...methods.map((m) => m.name)].sort());
    for (const [name, paper] of Object.entries(papers)) {
      const m = findMethod(name, 'method');
      assert.deepEqual(m.projectorDims, paper.projector, `${name} projector`);
      assert.deepEqual(m.predictorDims, paper.predictor, `${name} predictor`);
      assert.equal(m.targetMomentumOption, paper.target, `${name} target`);
      assert.equal(m.minBatch, paper.minBatch, `${name} min batch`);
      assert.deepEqual(Object.fromEntries(m.options.map((o) => [o.name, o.default])), paper.defaults, `${name} defaults`);
      assert.ok(m.citation.length > 0 && m.title.length > 0);
    }
  });

  it('lists each loss with its inputs, and sslLoss checks their count', () => {
    const losses = torch().losses();
    assert.deepEqual(losses.find((l) => l.name === 'simsiam')?.inputs, ['p1', 'p2', 'z1', 'z2']);
    const z = { data: new Float32Array(8), shape: [2, 4] };
    assert.throws(() => torch().sslLoss('simsiam', [z, z], {}), (e: Error) => e instanceof RangeError && /4 tensors for simsiam/.test(e.message));
    assert.throws(() => torch().sslLoss('nt-xent', [z, z], { tauBase: 0.9 }), (e: Error) => e instanceof RangeError && /options\.tauBase/.test(e.message) && /temperature/.test(e.message));
  });

  it("refuses an option the method does not have, and values out of the option's range", async () => {
    const base = { images, encoder: { architecture: 'small-cnn' }, pipeline: 'grayscale-28', epochs: 1, batchSize: 4, seed: 0 };
    await assert.rejects(train({ ...base, method: 'byol', methodOptions: { temperature: 0.1 } }), (e: Error) => e instanceof RangeError && /options\.methodOptions\.temperature/.test(e.message) && /tauBase/.test(e.message));
    await assert.rejects(train({ ...base, method: 'byol', methodOptions: { tauBase: 1.5 } }), (e: Error) => e instanceof RangeError && /\[0, 1\]/.test(e.message));
    await assert.rejects(train({ ...base, method: 'simclr', methodOptions: { temperature: 0 } }), (e: Error) => e instanceof RangeError && /> 0/.test(e.message));
    await assert.rejects(train({ ...base, method: 'simclr', batchSize: 1 }), (e: Error) => e instanceof RangeError && /at least 2 for simclr/.test(e.message));
    await assert.rejects(train({ ...base, method: 'dino-v9' }), (e: Error) => e instanceof RangeError && /one of ("[a-z0-9-]+", )*"simclr"/.test(e.message));
  });

  it('refuses the same natively, for callers that bypass the façade', async () => {
    const encoder = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28] });
    const native = { method: 'vicreg', methodOptions: { temperature: 0.5 }, encoder: encoder.handle, images, epochs: 1, batchSize: 4, normalizeMean: new Float32Array(1), normalizeStd: new Float32Array([1]) };
    assert.throws(() => torch().train(native as unknown as NativeTrainOptions, () => undefined), (e: Error) => e instanceof RangeError && /options\.methodOptions\.temperature/.test(e.message) && /invariance, variance, covariance/.test(e.message));
    encoder.dispose();
  });
});
