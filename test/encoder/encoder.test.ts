import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Encoder } from '../../lib';
import { fashionMnist, maxAbsDiff } from '../train/helpers';

describe('Encoder (torch tier)', function () {

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-encoder-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const data = fashionMnist('train', 64);

  it('small-cnn maps [N, 28, 28, 1] images to [N, 512] and embed equals embedViews of normalized views', async () => {
    const encoder = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], seed: 1 });
    assert.equal(encoder.reprDim, 512);
    const out = await encoder.embed(data.images, { batchSize: 20 });
    assert.deepEqual(out.shape, [64, 512]);
    // embed = (x / 255 - 0.5) / 0.5 then the backbone; the same views through embedViews match.
    const views = new Float32Array(data.images.data.length);
    data.images.data.forEach((v, i) => (views[i] = (v / 255 - 0.5) / 0.5));
    const viaViews = await encoder.embedViews({ data: views, shape: [64, 1, 28, 28] }, { batchSize: 64 });
    assert.ok(maxAbsDiff(out.data, viaViews.data) < 1e-5);
    // A batch of one gives the same rows as a batch of 64 (inference-mode batch norm).
    const single = await encoder.embedViews({ data: views.subarray(0, 784), shape: [1, 1, 28, 28] });
    assert.ok(maxAbsDiff(single.data, viaViews.data.subarray(0, 512)) < 1e-5);
    encoder.dispose();
  });

  it('the seed fixes the initialisation', async () => {
    const a = await Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], seed: 5 }).embed(data.images);
    const b = await Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], seed: 5 }).embed(data.images);
    const c = await Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], seed: 6 }).embed(data.images);
    assert.equal(maxAbsDiff(a.data, b.data), 0);
    assert.ok(maxAbsDiff(a.data, c.data) > 1e-3);
  });

  it('resnet18 (CIFAR stem) has the 11,168,832 backbone parameters of the reference CIFAR ResNet-18', () => {
    // kuangliu/pytorch-cifar ResNet18: 11,173,962 parameters including the 512x10 classifier (5,130).
    const encoder = Encoder.create({ architecture: 'resnet18', inputShape: [3, 32, 32] });
    assert.equal(encoder.handle.info().parameters, 11_173_962 - 5_130);
    assert.equal(encoder.reprDim, 512);
    encoder.dispose();
  });

  it('resnet9 and resnet18 scale with width and pool globally', async () => {
    const images = { data: new Uint8Array(2 * 32 * 32 * 3).map((_, i) => (i * 37) % 256), shape: [2, 32, 32, 3] };
    for (const architecture of ['resnet9', 'resnet18'] as const) {
      const encoder = Encoder.create({ architecture, inputShape: [3, 32, 32], width: 0.25 });
      assert.equal(encoder.reprDim, 128);
      const out = await encoder.embed(images);
      assert.deepEqual(out.shape, [2, 128]);
      // Global pooling: the network also accepts other image sizes (here 16x16).
      const small = Encoder.create({ architecture, inputShape: [3, 16, 16], width: 0.25 });
      assert.equal(small.reprDim, 128);
    }
  });

  it('save then load gives identical embeddings and description', async () => {
    const encoder = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], width: 0.5, seed: 3 });
    const file = path.join(tmp, 'enc.sslmem');
    await encoder.save(file);
    assert.ok(!fs.readdirSync(tmp).some((f) => f.includes('.tmp-')), 'no temp file left behind');
    const loaded = await Encoder.load(file);
    assert.deepEqual(loaded.description, encoder.description);
    const a = await encoder.embed(data.images);
    const b = await loaded.embed(data.images);
    assert.equal(maxAbsDiff(a.data, b.data), 0);
  });

  it('corrupt, truncated and missing files give clear errors', async () => {
    const encoder = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28] });
    const file = path.join(tmp, 'good.sslmem');
    await encoder.save(file);
    const bytes = fs.readFileSync(file);
    const truncated = path.join(tmp, 'truncated.sslmem');
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assert.rejects(Encoder.load(truncated), { code: 'ERR_SSLMEM_CORRUPT_FILE' });
    const garbage = path.join(tmp, 'garbage.sslmem');
    fs.writeFileSync(garbage, 'this is not an archive');
    await assert.rejects(Encoder.load(garbage), { code: 'ERR_SSLMEM_CORRUPT_FILE', message: /garbage\.sslmem/ });
    await assert.rejects(Encoder.load(path.join(tmp, 'missing.sslmem')), { code: 'ERR_SSLMEM_FILE_NOT_FOUND' });
  });

  it('rejects unknown architectures, bad shapes and images of the wrong size', async () => {
    assert.throws(() => Encoder.create({ architecture: 'vgg' as never, inputShape: [1, 28, 28] }), RangeError);
    assert.throws(() => Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28] as never }), RangeError);
    const encoder = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28] });
    const wrong = { data: new Uint8Array(2 * 32 * 32), shape: [2, 32, 32, 1] };
    await assert.rejects(encoder.embed(wrong), (e: Error) => e instanceof RangeError && /\[1, 28, 28\]/.test(e.message));
    await assert.rejects(encoder.embedViews({ data: new Float32Array(3 * 784), shape: [1, 3, 28, 28] }), RangeError);
    encoder.dispose();
    await assert.rejects(encoder.embed(data.images), { code: 'ERR_SSLMEM_DISPOSED' });
  });
});
