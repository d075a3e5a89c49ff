/**
 * The augment API: determinism across thread counts and batch splits (bit-identical), replay of
 * sampled parameters, the caller's `out` buffer, item ids and epochs as stream keys, presets and
 * the clean anchor view, and the Philox generator against Random123's published known answers.
 */
import { strict as assert } from 'node:assert';
import { kernels } from '../../lib/binding';
import { applyParams, augment, presets, resolvePipeline, sampleParams, withCleanAnchor, withNormalize } from '../../lib/augment';
import type { Uint8Tensor } from '../../lib/tensor';
import { bitEqual, makeImages } from './helpers';

function slice(images: Uint8Tensor, begin: number, end: number): Uint8Tensor {
  const [, h, w, c] = images.shape;
  const size = h * w * c;
  return { data: images.data.subarray(begin * size, end * size), shape: [end - begin, h, w, c] };
}

describe('augment: Philox4x32-10', () => {
  it('matches Random123 known-answer vectors', () => {
    const hex = (a: Uint32Array) => Array.from(a, (x) => x.toString(16).padStart(8, '0')).join(' ');
    const k = kernels();
    assert.equal(hex(k.philox4x32(new Uint32Array(4), new Uint32Array(2))), '6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    assert.equal(hex(k.philox4x32(new Uint32Array(4).fill(0xffffffff), new Uint32Array(2).fill(0xffffffff))), '408f276d 41c83b0e a20bc7c6 6d5451fd');
    assert.equal(
      hex(k.philox4x32(new Uint32Array([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344]), new Uint32Array([0xa4093822, 0x299f31d0]))),
      'd16cfe09 94fdcceb 5001e420 24126ea1',
    );
  });
});

describe('augment: determinism and replay', function () {
  this.timeout(60000);
  const images = makeImages(37, 32, 32, 3, 42);
  const byol = 'byol';

  it('gives bit-identical views for 1, 2, 3 and all threads', async () => {
    const reference = await augment(images, { pipeline: byol, views: 5, seed: 11, epoch: 2, threads: 1 });
    assert.deepEqual(reference.shape, [37, 5, 3, 32, 32]);
    for (const threads of [2, 3, 0]) {
      const again = await augment(images, { pipeline: byol, views: 5, seed: 11, epoch: 2, threads });
      assert.ok(bitEqual(reference.data, again.data), `threads=${threads}`);
    }
  });

  it('gives bit-identical views when the batch is split (item ids keep the streams)', async () => {
    const whole = await augment(images, { pipeline: 'simclr-cifar', views: 3, seed: 5, threads: 2 });
    const a = await augment(slice(images, 0, 20), { pipeline: 'simclr-cifar', views: 3, seed: 5, threads: 1 });
    const b = await augment(slice(images, 20, 37), { pipeline: 'simclr-cifar', views: 3, seed: 5, itemOffset: 20 });
    const joined = new Float32Array(whole.data.length);
    joined.set(a.data, 0);
    joined.set(b.data, a.data.length);
    assert.ok(bitEqual(whole.data, joined));
    // Reordered batch with explicit ids: image 36 first.
    const reordered: Uint8Tensor = { data: new Uint8Array(images.data.length), shape: images.shape };
    const size = 32 * 32 * 3;
    const order = Array.from({ length: 37 }, (_, i) => 36 - i);
    order.forEach((src, dst) => reordered.data.set(images.data.subarray(src * size, (src + 1) * size), dst * size));
    const r = await augment(reordered, { pipeline: 'simclr-cifar', views: 3, seed: 5, itemIds: order });
    const viewsPerImage = 3 * size;
    assert.ok(bitEqual(r.data.subarray(0, viewsPerImage), whole.data.subarray(36 * viewsPerImage, 37 * viewsPerImage)));
  });

  it('changes the views with the seed, the epoch and the item id', async () => {
    const one = slice(images, 0, 1);
    const base = await augment(one, { pipeline: 'sslmem-scoring', views: 2, seed: 1 });
    for (const change of [{ seed: 2 }, { epoch: 1 }, { itemIds: [5] }]) {
      const other = await augment(one, { pipeline: 'sslmem-scoring', views: 2, seed: 1, ...change });
      assert.ok(!bitEqual(base.data, other.data), JSON.stringify(change));
    }
  });

  it('replaying sampled parameters gives the same views bit for bit', async () => {
    const options = { pipeline: byol, views: 4, seed: 99, epoch: 3, itemOffset: 1000 };
    const views = await augment(images, options);
    const params = await sampleParams(images, options);
    assert.equal(params.length, 37);
    assert.equal(params[0].length, 4);
    const replayed = await applyParams(images, params, { threads: 3 });
    assert.deepEqual(replayed.shape, views.shape);
    assert.ok(bitEqual(views.data, replayed.data));
    // Parameters survive a JSON round trip (plain data).
    const again = await applyParams(images, JSON.parse(JSON.stringify(params)));
    assert.ok(bitEqual(views.data, again.data));
  });

  it('writes into the caller-supplied out buffer and returns it', async () => {
    const backing = new Float32Array(5 + 2 * 3 * 3 * 32 * 32);
    backing.fill(-7);
    const out = backing.subarray(5);
    const result = await augment(slice(images, 0, 2), { pipeline: 'simclr-cifar', views: 3, seed: 1, out });
    assert.equal(result.data, out);
    assert.ok(backing.subarray(0, 5).every((v) => v === -7), 'nothing written before the view');
    const fresh = await augment(slice(images, 0, 2), { pipeline: 'simclr-cifar', views: 3, seed: 1 });
    assert.ok(bitEqual(out, fresh.data));
    const replayOut = new Float32Array(out.length);
    const params = await sampleParams(slice(images, 0, 2), { pipeline: 'simclr-cifar', views: 3, seed: 1 });
    assert.equal((await applyParams(slice(images, 0, 2), params, { out: replayOut })).data, replayOut);
    assert.ok(bitEqual(replayOut, out));
  });

  it('handles an empty batch', async () => {
    const empty = await augment({ data: new Uint8Array(0), shape: [0, 32, 32, 3] }, { pipeline: 'simclr-cifar', views: 2, seed: 0 });
    assert.deepEqual(empty.shape, [0, 2, 3, 32, 32]);
    assert.equal(empty.data.length, 0);
  });
});

describe('augment: presets and clean views', function () {
  this.timeout(60000);

  it('the clean view is the image / 255, normalized', async () => {
    const images = makeImages(3, 9, 11, 3, 8);
    const pipeline = withNormalize({ views: [{}] }, [0.5, 0.4, 0.3], [0.2, 0.25, 0.5]);
    const out = await augment(images, { pipeline, views: 2, seed: 3 });
    const mean = [0.5, 0.4, 0.3], std = [0.2, 0.25, 0.5];
    for (let i = 0; i < 3; i++) {
      for (let v = 0; v < 2; v++) {
        for (let c = 0; c < 3; c++) {
          for (let p = 0; p < 99; p++) {
            // float32 arithmetic: each step rounded to float32 as torch's (x / 255 - mean) / std is.
            const centred = Math.fround(Math.fround(images.data[(i * 99 + p) * 3 + c] / 255) - Math.fround(mean[c]));
            const expected = Math.fround(centred / Math.fround(std[c]));
            assert.equal(out.data[((i * 2 + v) * 3 + c) * 99 + p], expected);
          }
        }
      }
    }
  });

  it('withCleanAnchor makes view 0 clean and keeps the rest augmented', async () => {
    const images = makeImages(4, 32, 32, 3, 9);
    const anchored = withCleanAnchor('simclr-cifar');
    assert.deepEqual(anchored.views[0], { size: 32 });
    const params = await sampleParams(images, { pipeline: anchored, views: 6, seed: 4 });
    for (const perImage of params) {
      assert.deepEqual(perImage[0].crop, { top: 0, left: 0, height: 32, width: 32 });
      assert.equal(perImage[0].flip, false);
      assert.equal(perImage[0].colorJitter, null);
    }
    const views = await augment(images, { pipeline: anchored, views: 6, seed: 4 });
    for (let p = 0; p < 1024; p++) assert.equal(views.data[p], Math.fround(images.data[p * 3] / 255));
  });

  it('every preset resolves, runs on its kind of input, and BYOL views differ in blur/solarize', async () => {
    for (const name of Object.keys(presets)) {
      const spec = resolvePipeline(name);
      assert.equal(spec.name, name);
      const channels = name === 'grayscale-28' ? 1 : 3;
      const side = name === 'grayscale-28' ? 28 : 32;
      const out = await augment(makeImages(2, side, side, channels), { pipeline: name, views: 2, seed: 1 });
      assert.deepEqual(out.shape, [2, 2, channels, side, side]);
      assert.ok(out.data.every((v) => v >= 0 && v <= 1));
    }
    const byol = resolvePipeline('byol');
    assert.equal(byol.views[0].blur?.p, 1);
    assert.equal(byol.views[1].blur?.p, 0.1);
    assert.equal(byol.views[0].solarize?.p, 0);
    assert.equal(byol.views[1].solarize?.p, 0.2);
    const params = await sampleParams(makeImages(200, 32, 32, 3), { pipeline: 'byol', views: 2, seed: 5 });
    assert.ok(params.every((p) => p[0].blur !== null && p[0].solarize === null));
    assert.ok(params.some((p) => p[1].solarize !== null));
  });
});

describe('augment: SIMD backends agree', function () {
  this.timeout(60000);

  it('the avx2 and serial variants give bit-identical views', async function () {
    const { augmentBackend } = await import('../../lib/augment');
    if (augmentBackend() !== 'avx2') this.skip();  // nothing to compare on a CPU without AVX2
    const { spawnSync } = await import('node:child_process');
    // The same views computed in a child process forced onto the serial variant.
    const script = `
      const { augment, augmentBackend } = require(${JSON.stringify(require.resolve('../../lib/augment'))});
      const { makeImages } = require(${JSON.stringify(require.resolve('./helpers'))});
      (async () => {
        const pipeline = { views: [{ size: 24, crop: {}, flip: 0.5, colorJitter: { p: 1, brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.4 }, grayscale: 0.2, blur: { p: 0.5, kernelSize: 5 }, solarize: { p: 0.3 } }] };
        const out = await augment(makeImages(16, 29, 31, 3, 77), { pipeline, views: 8, seed: 3 });
        const aa = await augment(makeImages(4, 29, 31, 3, 78), { pipeline: { views: [{ size: 9, crop: { antialias: true } }] }, views: 4, seed: 3 });
        process.stdout.write(JSON.stringify({ backend: augmentBackend(), views: Buffer.from(out.data.buffer).toString('base64'), aa: Buffer.from(aa.data.buffer).toString('base64') }));
      })();`;
    const run = (backend?: string) => {
      const env = { ...process.env };
      if (backend) env.SSLMEM_AUGMENT_BACKEND = backend;
      else delete env.SSLMEM_AUGMENT_BACKEND;
      const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { backend: string; views: string; aa: string };
    };
    const fast = run(), serial = run('serial');
    assert.equal(fast.backend, 'avx2');
    assert.equal(serial.backend, 'serial');
    assert.ok(fast.views === serial.views, 'views differ between avx2 and serial');
    assert.ok(fast.aa === serial.aa, 'antialiased views differ between avx2 and serial');
  });
});

describe('augment: AbortSignal', function () {
  this.timeout(60000);

  it('rejects with an AbortError when the signal is already aborted, computing nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const images = makeImages(4, 16, 16, 3);
    const out = new Float32Array(4 * 2 * 3 * 16 * 16).fill(5);
    await assert.rejects(augment(images, { pipeline: 'sslmem-scoring', views: 2, seed: 1, out, signal: controller.signal }),
      (e: Error & { code?: string }) => e.name === 'AbortError' && e.code === 'ABORT_ERR');
    assert.ok(out.every((v) => v === 5));
  });

  it('stops a running job with an AbortError', async () => {
    const controller = new AbortController();
    const images = makeImages(64, 64, 64, 3);
    // ~64 * 400 views of 64 x 64: seconds of work, aborted after 20 ms.
    const job = augment(images, { pipeline: 'sslmem-scoring', views: 400, seed: 1, threads: 1, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(job, (e: Error & { code?: string }) => e.name === 'AbortError' && e.code === 'ABORT_ERR');
  });

  it('rejects a signal that is not an AbortSignal', async () => {
    await assert.rejects(augment(makeImages(1, 8, 8, 3), { pipeline: 'byol', views: 1, seed: 1, signal: {} as AbortSignal }),
      (e: Error) => e instanceof TypeError && /options\.signal/.test(e.message));
  });
});
