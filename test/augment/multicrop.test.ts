/**
 * Multi-crop augmentation (issue 13): shapes of each group, determinism across thread counts,
 * batch splits and item order (bit-identical), each group equal bit for bit to the single-size
 * path at the same global view indices, every crop equal to torchvision applied with the same
 * parameters (the committed oracle), the DINO preset's per-view semantics, and argument errors.
 */
import { strict as assert } from 'node:assert';
import { kernels } from '../../lib/binding';
import { augment, augmentMultiCrop, multiCropPresets, resolveCropGroups, sampleMultiCropParams } from '../../lib/augment';
import type { CropGroupSpec } from '../../lib/augment';
import type { Float32Tensor, Uint8Tensor } from '../../lib/tensor';
import { OracleCase, bitEqual, makeImages, maxAbsDiff, runOracle } from './helpers';

/** 2 global 32 x 32 views and 6 local 16 x 16 ones, the local size set by the group. */
const layout: CropGroupSpec[] = [
  { name: 'global', pipeline: 'simclr-cifar', count: 2 },
  { name: 'local', pipeline: { views: [{ crop: { scale: [0.05, 0.4] }, flip: 0.5, blur: { p: 0.5, kernelSize: 3 } }, { crop: { scale: [0.05, 0.4], antialias: true } }] }, size: 16, count: 6 },
];

function slice(images: Uint8Tensor, begin: number, end: number): Uint8Tensor {
  const [, h, w, c] = images.shape;
  const size = h * w * c;
  return { data: images.data.subarray(begin * size, end * size), shape: [end - begin, h, w, c] };
}

/** Views [from, from + count) of every image of a [N, V, ...] tensor, as [N, count, ...] data. */
function views(t: Float32Tensor, from: number, count: number): Float32Array {
  const [n, v, c, h, w] = t.shape;
  const size = c * h * w;
  const out = new Float32Array(n * count * size);
  for (let i = 0; i < n; i++) out.set(t.data.subarray((i * v + from) * size, (i * v + from + count) * size), i * count * size);
  return out;
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

describe('augmentMultiCrop', function () {
  this.timeout(120000);
  const images = makeImages(12, 32, 32, 3, 5);

  it('returns one [N, count, C, H, W] tensor per group, in group order', async () => {
    const [global, local] = await augmentMultiCrop(images, { groups: layout, seed: 1 });
    assert.deepEqual(global.shape, [12, 2, 3, 32, 32]);
    assert.deepEqual(local.shape, [12, 6, 3, 16, 16]);
    assert.equal(global.data.length, 12 * 2 * 3 * 32 * 32);
    assert.equal(local.data.length, 12 * 6 * 3 * 16 * 16);
    const gray = await augmentMultiCrop(makeImages(3, 28, 20, 1, 2), { groups: 'dino-32', seed: 1 });
    assert.deepEqual(gray.map((t) => t.shape), [[3, 2, 1, 32, 32], [3, 8, 1, 16, 16]]);
    for (const t of gray) assert.ok(t.data.every((x) => x >= 0 && x <= 1), 'pixels in [0, 1]');
  });

  it('is bit-identical across thread counts, batch splits and item order', async () => {
    const base = await augmentMultiCrop(images, { groups: layout, seed: 3, epoch: 2, threads: 1 });
    for (const threads of [2, 0]) {
      const again = await augmentMultiCrop(images, { groups: layout, seed: 3, epoch: 2, threads });
      base.forEach((t, g) => assert.ok(bitEqual(t.data, again[g].data), `group ${g} differs with ${threads} threads`));
    }
    const head = await augmentMultiCrop(slice(images, 0, 5), { groups: layout, seed: 3, epoch: 2, threads: 2 });
    const tail = await augmentMultiCrop(slice(images, 5, 12), { groups: layout, seed: 3, epoch: 2, itemOffset: 5 });
    base.forEach((t, g) => assert.ok(bitEqual(t.data, concat(head[g].data, tail[g].data)), `group ${g} differs when split 5 + 7`));
    // Images in reverse order with their ids: image i of the reversed batch is image 11 - i.
    const [, h, w, c] = images.shape;
    const reversed = new Uint8Array(images.data.length);
    for (let i = 0; i < 12; i++) reversed.set(images.data.subarray((11 - i) * h * w * c, (12 - i) * h * w * c), i * h * w * c);
    const ids = Array.from({ length: 12 }, (_, i) => 11 - i);
    const back = await augmentMultiCrop({ data: reversed, shape: images.shape }, { groups: layout, seed: 3, epoch: 2, itemIds: ids });
    base.forEach((t, g) => {
      const [, v, ch, oh, ow] = t.shape;
      const size = v * ch * oh * ow;
      for (let i = 0; i < 12; i++) {
        assert.ok(bitEqual(t.data.subarray(i * size, (i + 1) * size), back[g].data.subarray((11 - i) * size, (12 - i) * size)), `group ${g} image ${i}`);
      }
    });
    const otherEpoch = await augmentMultiCrop(images, { groups: layout, seed: 3, epoch: 3 });
    assert.ok(!bitEqual(base[1].data, otherEpoch[1].data), 'another epoch draws other views');
  });

  it('gives each group the views the single-size path gives at the same global view indices', async () => {
    for (const groups of [layout, 'dino-32'] as const) {
      const resolved = resolveCropGroups(groups);
      const multi = await augmentMultiCrop(images, { groups: groups as CropGroupSpec[], seed: 9, epoch: 1, itemOffset: 100 });
      let first = 0;
      for (const [g, group] of resolved.entries()) {
        // A single-size pipeline whose view index first + j uses the group's spec for j.
        const specs = group.pipeline.views;
        const pipeline = { views: [...Array<typeof specs[0]>(first).fill(specs[0]), ...specs] };
        const single = await augment(images, { pipeline, views: first + group.count, seed: 9, epoch: 1, itemOffset: 100 });
        assert.ok(bitEqual(multi[g].data, views(single, first, group.count)), `group ${g} of ${JSON.stringify(groups).slice(0, 20)}`);
        first += group.count;
      }
    }
  });

  it('matches torchvision applied with the parameters it drew, crop by crop', async () => {
    const few = slice(images, 0, 3);
    for (const groups of [layout, 'dino-32'] as const) {
      const options = { groups: groups as CropGroupSpec[], seed: 4, epoch: 0 };
      const [params, got] = await Promise.all([sampleMultiCropParams(few, options), augmentMultiCrop(few, options)]);
      const cases: OracleCase[] = [];
      params.forEach((group) => group.forEach((perImage, i) => perImage.forEach((p) => cases.push({ image: slice(few, i, i + 1), params: p }))));
      const expected = runOracle(cases);
      let at = 0;
      got.forEach((t, g) => {
        const [n, v, c, h, w] = t.shape;
        const size = c * h * w;
        assert.equal(cases[at].params.size[0], h);
        for (let u = 0; u < n * v; u++, at++) {
          const diff = maxAbsDiff(t.data.subarray(u * size, (u + 1) * size), expected[at]);
          // Colour operations: float32 in a different summation order (parity.test.ts's TOL).
          assert.ok(diff <= 1e-5, `group ${g} view ${u}: max |sslmem - torchvision| = ${diff}`);
        }
      });
      assert.equal(at, cases.length);
    }
  });
});

describe('multi-crop preset dino-32', () => {
  it('follows DataAugmentationDINO per view: blur on global 1, solarize on global 2 only, local scale and blur', async () => {
    const many = makeImages(400, 32, 32, 3, 8);
    const [global, local] = await sampleMultiCropParams(many, { groups: 'dino-32', seed: 2 });
    const rate = (list: boolean[]) => list.filter(Boolean).length / list.length;
    const g0 = global.map((v) => v[0]), g1 = global.map((v) => v[1]), l = local.flat();
    assert.equal(rate(g0.map((p) => p.blur !== null)), 1, 'global crop 1 is always blurred (p = 1.0)');
    assert.equal(rate(g0.map((p) => p.solarize !== null)), 0, 'global crop 1 is never solarized');
    assert.equal(rate(l.map((p) => p.solarize !== null)), 0, 'local crops are never solarized');
    // Binomial rates within 4 standard deviations: 400 draws for global 2, 3200 for local crops.
    const near = (got: number, p: number, n: number, what: string) => assert.ok(Math.abs(got - p) <= 4 * Math.sqrt((p * (1 - p)) / n), `${what}: ${got} vs ${p}`);
    near(rate(g1.map((p) => p.solarize !== null)), 0.2, 400, 'global crop 2 solarize');
    near(rate(g1.map((p) => p.blur !== null)), 0.1, 400, 'global crop 2 blur');
    near(rate(l.map((p) => p.blur !== null)), 0.5, 3200, 'local blur');
    near(rate(l.map((p) => p.colorJitter !== null)), 0.8, 3200, 'local jitter');
    near(rate(l.map((p) => p.grayscale)), 0.2, 3200, 'local grayscale');
    // Crop areas: rounding w and h to pixels moves a 32 x 32 area fraction by at most ~0.03.
    const area = (p: { crop: { height: number; width: number } }) => (p.crop.height * p.crop.width) / 1024;
    assert.ok(Math.min(...g0.concat(g1).map(area)) >= 0.37, 'global crops cover >= 0.4 of the image');
    assert.ok(Math.max(...l.map(area)) <= 0.43, 'local crops cover <= 0.4 of the image');
    assert.ok(Math.min(...l.map(area)) >= 0.03, 'local crops cover >= 0.05 of the image');
    assert.ok(l.every((p) => p.size[0] === 16 && p.size[1] === 16) && g0.every((p) => p.size[0] === 32));
    assert.equal(multiCropPresets['dino-32'][1].count, 8, "main_dino.py's default local_crops_number");
  });
});

describe('augmentMultiCrop: argument errors', () => {
  const images = makeImages(2, 32, 32, 3, 1);
  const bad: [string, unknown, RegExp, typeof TypeError | typeof RangeError][] = [
    ['not an array', { views: [] }, /options\.groups/, TypeError],
    ['an unknown preset', 'dino-224', /dino-32.*options\.groups/, RangeError],
    ['no groups', [], /options\.groups/, RangeError],
    ['a count of 0', [{ pipeline: 'byol', count: 0 }], /options\.groups\[0\]\.count/, RangeError],
    ['a fractional count', [{ pipeline: 'byol', count: 1.5 }], /options\.groups\[0\]\.count/, RangeError],
    ['an unknown key', [{ pipeline: 'byol', count: 1, views: 2 }], /options\.groups\[0\].*"views"/, RangeError],
    ['a bad size', [{ pipeline: 'byol', count: 1 }, { pipeline: 'byol', count: 1, size: 0 }], /options\.groups\[1\]\.size/, RangeError],
    ['two sizes in one group', [{ pipeline: { views: [{ size: 16 }, { size: 8 }] }, count: 2 }], /options\.groups\[0\]\.pipeline\.views\[1\]\.size/, RangeError],
    ['a blur kernel too large for the group size', [{ pipeline: 'byol', size: 1, count: 1 }], /options\.groups\[0\]\.pipeline\.views\[0\]\.blur\.kernelSize/, RangeError],
    ['too many views', [{ pipeline: 'byol', count: 600000 }, { pipeline: 'byol', count: 600000 }], /options\.groups/, RangeError],
  ];
  for (const [what, groups, message, type] of bad) {
    it(`rejects ${what}`, async () => {
      await assert.rejects(augmentMultiCrop(images, { groups: groups as CropGroupSpec[], seed: 1 }), (e: Error) => e instanceof type && message.test(e.message));
    });
  }

  it('the native function checks groups itself, naming the argument', async () => {
    const native = kernels();
    const pipeline = resolveCropGroups('dino-32')[0].pipeline;
    assert.throws(() => native.augmentMultiCrop(images, [{ pipeline, count: 0 }], { seed: 1 }), (e: Error) => e instanceof RangeError && /options\.groups\[0\]\.count/.test(e.message));
    assert.throws(() => native.augmentMultiCrop(images, [], { seed: 1 }), (e: Error) => e instanceof RangeError && /options\.groups/.test(e.message));
    const oddSizes = { views: [{ ...pipeline.views[0], size: 16 }, { ...pipeline.views[1], size: 8 }] };
    assert.throws(() => native.augmentMultiCrop(images, [{ pipeline: oddSizes, count: 2 }], { seed: 1 }), (e: Error) => e instanceof RangeError && /options\.groups\[0\]\.pipeline\.views\[1\]\.size/.test(e.message));
  });
});
