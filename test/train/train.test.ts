import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Encoder, knnAccuracy, torchInfo, train } from '../../lib';
import type { TrainProgress } from '../../lib';
import type { Float32Tensor } from '../../lib/tensor';
import { fashionMnist, maxAbsDiff, seededFloats } from './helpers';

/**
 * Ready-made views for training tests: per view a random shift of up to 4 pixels (zero fill), a
 * horizontal flip with probability 1/2 and a brightness scale in [0.6, 1.4], normalized with
 * mean 0.5 / std 0.5. (The training loop's own augmentation path is tested with the kernel.)
 */
function shiftedViews(images: Uint8Array, n: number, views: number, seed: number): Float32Tensor {
  const out = new Float32Array(n * views * 784);
  const r = seededFloats(n * views * 4, seed);
  for (let i = 0; i < n; i++) {
    for (let v = 0; v < views; v++) {
      const k = (i * views + v) * 4;
      const dx = Math.round(r[k] * 4);
      const dy = Math.round(r[k + 1] * 4);
      const flip = r[k + 2] > 0;
      const scale = 1 + 0.4 * r[k + 3];
      const base = (i * views + v) * 784;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const sx = (flip ? 27 - x : x) - dx;
          const sy = y - dy;
          const p = sx >= 0 && sx < 28 && sy >= 0 && sy < 28 ? images[i * 784 + sy * 28 + sx] / 255 : 0;
          out[base + y * 28 + x] = (Math.min(1, p * scale) - 0.5) / 0.5;
        }
      }
    }
  }
  return { data: out, shape: [n, views, 1, 28, 28] };
}

describe('train (torch tier)', function () {
  this.timeout(300_000);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-train-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const data = fashionMnist('train', 1000);
  const held = fashionMnist('test', 500);
  const views = shiftedViews(data.images.data, 1000, 8, 11);
  const common = {
    views,
    encoder: { architecture: 'small-cnn' as const, width: 0.25 },
    method: 'simclr' as const,
    methodOptions: { temperature: 0.2, projectorDims: [256, 64] },
    batchSize: 100,
    optimizer: { name: 'sgd' as const, lr: 0.1, momentum: 0.9, weightDecay: 5e-4 },
    seed: 7,
    threads: 1,
  };

  const EPOCHS = 30;
  it('SimCLR with the augmentation kernel on 1,000 Fashion-MNIST images lowers the loss and beats a random encoder in kNN accuracy', async () => {
    const progress: TrainProgress[] = [];
    // 30 epochs x 10 steps = 300 steps. Adam at 1e-3 with temperature 0.5: in a trial of 300 steps
    // SGD at 0.1 with temperature 0.2 lowered the loss but drifted below the random encoder's kNN
    // accuracy (0.626 -> 0.608), while this setting rose steadily (0.648 at 50 steps, 0.716 at 300).
    const { views: _ready, ...rest } = common;
    const result = await train({
      ...rest,
      methodOptions: { temperature: 0.5, projectorDims: [256, 64] },
      optimizer: { name: 'adam', lr: 1e-3, weightDecay: 1e-6 },
      images: data.images,
      pipeline: 'grayscale-28',
      epochs: EPOCHS,
      warmupEpochs: 1,
      onProgress: (p) => progress.push(p),
    });
    const losses = result.history.map((h) => h.loss);
    assert.equal(losses.length, EPOCHS);
    const first = losses[0];
    const last = losses[losses.length - 1];
    assert.ok(last < first - 0.2, `loss ${first.toFixed(3)} -> ${last.toFixed(3)}`);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(progress.length > 0 && progress.every((p) => p.stepsPerEpoch === 10 && p.epochs === EPOCHS));
    assert.ok(progress.some((p) => p.epochLoss !== undefined));
    const description = result.encoder.description;
    assert.equal(description.method, 'simclr');
    assert.equal(description.epoch, EPOCHS);
    assert.deepEqual(description.lossHistory, losses);
    // The preset does not normalize: embed must feed pixels in [0, 1] as training did.
    assert.deepEqual(description.normalize, { mean: [0], std: [1] });

    const random = Encoder.create({ architecture: 'small-cnn', width: 0.25, inputShape: [1, 28, 28], seed: 7, normalize: { mean: [0], std: [1] } });
    const knn = async (encoder: Encoder) =>
      knnAccuracy(
        { features: await encoder.embed(data.images), labels: data.labels },
        { features: await encoder.embed(held.images), labels: held.labels },
      );
    const trained = await knn(result.encoder);
    const baseline = await knn(random);
    // Seen on this machine (300 steps, width 0.25, 1 thread, ~90 s): trained 0.716 vs random 0.646,
    // a margin of 0.07; the assertion asks for 0.04.
    console.log(`      kNN accuracy: trained ${trained.toFixed(3)}, random ${baseline.toFixed(3)}, loss ${first.toFixed(3)} -> ${last.toFixed(3)}`);
    assert.ok(trained >= baseline + 0.04, `trained ${trained} should beat random ${baseline} by at least 0.04`);
  });

  it('resume from a checkpoint reproduces the uninterrupted run exactly (BYOL, with its target network)', async () => {
    const options = { ...common, epochs: 2, method: 'byol' as const, methodOptions: { projectorDims: [128, 32], predictorDims: [64, 32] } };
    const template = path.join(tmp, 'run-{epoch}.ckpt');
    const full = await train({ ...options, checkpoint: { path: template, every: 1 } });
    const checkpoint = path.join(tmp, 'run-1.ckpt');
    assert.ok(fs.existsSync(checkpoint) && fs.existsSync(path.join(tmp, 'run-2.ckpt')));
    // A checkpoint is a loadable encoder too.
    const partial = await Encoder.load(checkpoint);
    assert.equal(partial.description.epoch, 1);
    assert.deepEqual(partial.description.lossHistory, full.history.slice(0, 1).map((h) => h.loss));
    const resumed = await train({ ...options, resume: checkpoint });
    assert.deepEqual(
      resumed.history.map((h) => h.loss),
      full.history.map((h) => h.loss),
    );
    const a = await full.encoder.embed(data.images);
    const b = await resumed.encoder.embed(data.images);
    assert.equal(maxAbsDiff(a.data, b.data), 0);
  });

  it('an AbortSignal stops training with an AbortError', async () => {
    const controller = new AbortController();
    let steps = 0;
    await assert.rejects(
      train({
        ...common,
        epochs: 50,
        signal: controller.signal,
        onProgress: () => {
          steps++;
          controller.abort();
        },
      }),
      { name: 'AbortError', code: 'ABORT_ERR' },
    );
    assert.ok(steps >= 1 && steps < 500, `stopped after ${steps} steps`);
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(train({ ...common, epochs: 1, signal: aborted.signal }), { name: 'AbortError' });
  });

  it('SimSiam and VICReg train and record their method', async () => {
    for (const method of ['simsiam', 'vicreg'] as const) {
      const result = await train({
        ...common,
        method,
        epochs: 1,
        methodOptions: { projectorDims: [64, 64], predictorDims: [32, 64] },
      });
      assert.equal(result.history.length, 1);
      assert.ok(Number.isFinite(result.history[0].loss));
      assert.equal(result.encoder.description.method, method);
    }
  });

  it('the monitor reports weighted kNN accuracy', async () => {
    const result = await train({ ...common, epochs: 1, monitor: { train: data, test: held, every: 1 } });
    for (const h of result.history) assert.ok(h.knnAccuracy! > 0.3 && h.knnAccuracy! <= 1, `kNN ${h.knnAccuracy}`);
  });

  it('bad input gives clear errors', async () => {
    await assert.rejects(train({ ...common, epochs: 1, method: 'moco' as never }), RangeError);
    await assert.rejects(train({ ...common, epochs: 1, encoder: { architecture: 'vgg' as never } }), RangeError);
    await assert.rejects(train({ ...common, epochs: 1, batchSize: 1 }), (e: Error) => e instanceof RangeError && /at least 2 for simclr/.test(e.message));
    await assert.rejects(train({ ...common, epochs: 1, method: 'vicreg', batchSize: 1 }), RangeError);
    await assert.rejects(train({ ...common, epochs: 0 }), RangeError);
    await assert.rejects(train({ ...common, epochs: 1, batchSize: 5000 }), RangeError);
    const wrong = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 32, 32] });
    await assert.rejects(train({ ...common, epochs: 1, encoder: wrong }), (e: Error) => e instanceof RangeError && /32/.test(e.message));
    if (!torchInfo().cudaAvailable) {
      await assert.rejects(train({ ...common, epochs: 1, device: 'cuda' }), { code: 'ERR_SSLMEM_CUDA_UNAVAILABLE' });
    }
    const encoderOnly = path.join(tmp, 'encoder-only.sslmem');
    await Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], width: 0.5 }).save(encoderOnly);
    await assert.rejects(train({ ...common, epochs: 1, resume: encoderOnly }), { code: 'ERR_SSLMEM_CORRUPT_FILE' });
  });
});
