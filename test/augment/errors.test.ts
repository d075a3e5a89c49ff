/**
 * Bad input gives a clear error (TypeError for types, RangeError for ranges, each naming the
 * argument, the expectation and what came) and writes nothing into the caller's `out` buffer,
 * both through the TS façade and when the native functions are called directly (their own checks).
 */
import { strict as assert } from 'node:assert';
import { kernels } from '../../lib/binding';
import { applyParams, augment, PipelineSpec, sampleParams } from '../../lib/augment';
import type { Uint8Tensor } from '../../lib/tensor';
import { baseParams, makeImages } from './helpers';

const SENTINEL = 12345;

function sentinelOut(length: number): Float32Array {
  return new Float32Array(length).fill(SENTINEL);
}

function untouched(out: Float32Array): boolean {
  return out.every((v) => v === SENTINEL);
}

function matches(kind: typeof TypeError | typeof RangeError, pattern: RegExp) {
  return (error: Error & { code?: string }) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${error.constructor.name}: ${error.message}`);
    // Messages read "Expected <expectation> for <argument> but received <value>"; the patterns
    // below are written as "<argument> ... <expectation>", so match against that order.
    const parts = /^Expected (.*) for (\S+) but received (.*)$/s.exec(error.message);
    assert.ok(parts, `message shape: ${error.message}`);
    assert.match(`${parts[2]} ${parts[1]} ${parts[3]}`, pattern);
    assert.ok(error.code === 'ERR_SSLMEM_INVALID_TYPE' || error.code === 'ERR_SSLMEM_OUT_OF_RANGE', error.code);
    return true;
  };
}

describe('augment: bad input', function () {
  this.timeout(30000);
  const images = makeImages(2, 16, 16, 3, 3);
  const length = 2 * 2 * 3 * 16 * 16;
  const spec = (view: Record<string, unknown>): PipelineSpec => ({ views: [view as never] });

  const badImages: Array<[string, unknown, typeof TypeError | typeof RangeError, RegExp]> = [
    ['a Float32Array of pixels', { data: new Float32Array(2 * 16 * 16 * 3), shape: [2, 16, 16, 3] }, TypeError, /images\.data.*Uint8Array/],
    ['rank 3', { data: new Uint8Array(16 * 16 * 3), shape: [16, 16, 3] }, RangeError, /images\.shape.*rank 4/],
    ['zero-height images', { data: new Uint8Array(0), shape: [2, 0, 16, 3] }, RangeError, /images\.shape.*at least 1 x 1/],
    ['2 channels', { data: new Uint8Array(2 * 16 * 16 * 2), shape: [2, 16, 16, 2] }, RangeError, /images\.shape\[3\].*1 or 3 channels/],
    ['a length that does not match the shape', { data: new Uint8Array(10), shape: [2, 16, 16, 3] }, RangeError, /images\.data/],
    ['not a tensor', new Uint8Array(10), TypeError, /images/],
  ];
  for (const [what, value, kind, pattern] of badImages) {
    it(`rejects ${what}`, async () => {
      const out = sentinelOut(length);
      await assert.rejects(augment(value as Uint8Tensor, { pipeline: 'sslmem-scoring', views: 2, seed: 0, out }), matches(kind, pattern));
      assert.ok(untouched(out));
    });
  }

  const badSpecs: Array<[string, PipelineSpec | string, typeof TypeError | typeof RangeError, RegExp]> = [
    ['a flip probability above 1', spec({ flip: 1.5 }), RangeError, /options\.pipeline\.views\[0\]\.flip.*\[0, 1\]/],
    ['a negative grayscale probability', spec({ grayscale: -0.1 }), RangeError, /views\[0\]\.grayscale/],
    ['a NaN jitter factor', spec({ colorJitter: { p: 0.5, brightness: NaN } }), RangeError, /colorJitter\.brightness.*NaN/],
    ['a hue above 0.5', spec({ colorJitter: { p: 0.5, hue: 0.6 } }), RangeError, /colorJitter\.hue/],
    ['a NaN jitter probability', spec({ colorJitter: { p: NaN } }), RangeError, /colorJitter\.p.*NaN/],
    ['a crop scale of 0', spec({ crop: { scale: [0, 1] } }), RangeError, /crop\.scale\[0\]/],
    ['a crop scale above 1', spec({ crop: { scale: [0.5, 1.5] } }), RangeError, /crop\.scale/],
    ['a reversed ratio range', spec({ crop: { ratio: [2, 1] } }), RangeError, /crop\.ratio.*low <= high/],
    ['an output larger than allowed', spec({ size: 20000 }), RangeError, /views\[0\]\.size/],
    ['an even blur kernel', spec({ blur: { p: 1, kernelSize: 4 } }), RangeError, /blur\.kernelSize.*odd/],
    ['a blur kernel too large for the output', spec({ size: 4, blur: { p: 1, kernelSize: 9 } }), RangeError, /blur\.kernelSize.*reflect/],
    ['normalize with 1 value for 3 channels', spec({ normalize: { mean: [0.5], std: [0.2] } }), RangeError, /normalize\.mean.*3 values/],
    ['normalize with a zero std', spec({ normalize: { mean: [0, 0, 0], std: [1, 0, 1] } }), RangeError, /normalize\.std\[1\]/],
    ['views of different sizes', { views: [{ size: 8 }, { size: 9 }] }, RangeError, /views\[1\]\.size/],
    ['an unknown key', spec({ flips: 0.5 }), RangeError, /views\[0\].*flips/],
    ['an unknown preset', 'simclr-imagenet', RangeError, /options\.pipeline.*simclr-cifar/],
    ['no views', { views: [] }, RangeError, /options\.pipeline\.views/],
  ];
  for (const [what, pipeline, kind, pattern] of badSpecs) {
    it(`rejects ${what}`, async () => {
      const out = sentinelOut(length);
      await assert.rejects(augment(images, { pipeline, views: 2, seed: 0, out }), matches(kind, pattern));
      assert.ok(untouched(out));
    });
  }

  const badOptions: Array<[string, Record<string, unknown>, typeof TypeError | typeof RangeError, RegExp]> = [
    ['0 views', { views: 0 }, RangeError, /options\.views/],
    ['a fractional seed', { seed: 1.5 }, RangeError, /options\.seed/],
    ['a negative epoch', { epoch: -1 }, RangeError, /options\.epoch/],
    ['negative threads', { threads: -1 }, RangeError, /options\.threads/],
    ['item ids of the wrong length', { itemIds: [1] }, RangeError, /options\.itemIds.*2 ids/],
    ['a negative item id', { itemIds: [1, -2] }, RangeError, /options\.itemIds\[1\]/],
    ['an out buffer of the wrong length', { out: new Float32Array(3) }, RangeError, /options\.out.*length/],
    ['an out buffer of the wrong type', { out: new Float64Array(length) }, TypeError, /options\.out.*Float32Array/],
  ];
  for (const [what, change, kind, pattern] of badOptions) {
    it(`rejects ${what}`, async () => {
      const out = sentinelOut(length);
      await assert.rejects(augment(images, { pipeline: 'sslmem-scoring', views: 2, seed: 0, out, ...change }), matches(kind, pattern));
      assert.ok(untouched(out));
    });
  }

  it('rejects replayed parameters with a crop outside the image, writing nothing', async () => {
    const params = await sampleParams(images, { pipeline: 'sslmem-scoring', views: 2, seed: 0 });
    params[1][1].crop = { top: 4, left: 4, height: 13, width: 8 };
    const out = sentinelOut(length);
    await assert.rejects(applyParams(images, params, { out }), matches(RangeError, /params\[3\]\.crop.*inside the 16 x 16 image/));
    assert.ok(untouched(out));
  });

  it('rejects replayed parameters with a bad jitter order, hue or blur', async () => {
    const one = makeImages(1, 16, 16, 3);
    const bad: Array<[(p: ReturnType<typeof baseParams>) => void, RegExp]> = [
      [(p) => { p.colorJitter = { order: [0, 0, 1, 2], brightness: 1, contrast: null, saturation: null, hue: null }; }, /jitterOrder/],
      [(p) => { p.colorJitter = { order: [0, 1, 2, 3], brightness: null, contrast: null, saturation: null, hue: 0.7 }; }, /hue/],
      [(p) => { p.colorJitter = { order: [0, 1, 2, 3], brightness: NaN, contrast: null, saturation: null, hue: null }; }, /brightness/],
      [(p) => { p.blur = { kernelSize: 2, sigma: 1 }; }, /blurKernel/],
      [(p) => { p.size = [0, 16]; }, /size/],
    ];
    for (const [edit, pattern] of bad) {
      const p = baseParams(16, 16);
      edit(p);
      const out = sentinelOut(3 * 16 * 16);
      await assert.rejects(applyParams(one, [[p]], { out }), matches(RangeError, pattern));
      assert.ok(untouched(out));
    }
  });

  it('the native side re-checks specs that bypass the TS validation, writing nothing', () => {
    const k = kernels();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ flip: 2 }, /views\[0\]\.flip/],
      [{ colorJitter: { p: 1, hue: NaN } }, /colorJitter\.hue/],
      [{ colorJitter: { p: 1, contrast: -1 } }, /colorJitter\.contrast/],
      [{ blur: { p: 1, kernelSize: 6 } }, /blur\.kernelSize/],
      [{ crop: { scale: [0.5, 2] } }, /crop\.scale/],
      [{ normalize: { mean: [0], std: [1] } }, /normalize\.mean/],
      [{ size: 'big' }, /size/],
    ];
    for (const [view, pattern] of cases) {
      const out = sentinelOut(length);
      assert.throws(() => k.augment(images, { views: [view] } as never, { views: 2, seed: 0 }, out), (e: Error) => {
        assert.ok(e instanceof RangeError || e instanceof TypeError, e.message);
        assert.match(e.message, pattern);
        return true;
      });
      assert.ok(untouched(out));
    }
  });
});
