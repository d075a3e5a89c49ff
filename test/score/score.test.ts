import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { datasetFingerprint, loadIdx, ImageDataset } from '../../lib/data';
import { finalizeScores, makeSplits, mergeParts, score, scoreManifest, scoresCsv, summaryJson } from '../../lib/score';
import { jsEncoder } from './helpers';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'fashion-mnist');

/** The first n fixture images as a tensor. */
function firstImages(ds: ImageDataset, n: number) {
  const [, h, w, c] = ds.images.shape;
  return { data: ds.images.data.slice(0, n * h * w * c), shape: [n, h, w, c] };
}

// The pipeline (real augmentation and alignment kernels) with plain-JS encoders: these properties
// hold for any encoder whose rows depend only on their own view.
describe('score/score', () => {
  let ds: ImageDataset;
  const f = jsEncoder(1);
  const g = jsEncoder(2);
  before(async () => {
    ds = await loadIdx(path.join(FIXTURE, 'train-1000-images-idx3-ubyte.gz'), path.join(FIXTURE, 'train-1000-labels-idx1-ubyte.gz'));
  });

  it('identical encoders give m = 0 and se = 0 exactly', async () => {
    const r = await score({ f, g: f, images: firstImages(ds, 6), views: 5, seed: 3 });
    assert.deepEqual(Array.from(r.m), new Array(6).fill(0));
    assert.deepEqual(Array.from(r.se), new Array(6).fill(0));
    assert.deepEqual(Array.from(r.count), new Array(6).fill(5));
    assert.deepEqual(r.lossF, r.lossG);
    assert.ok(r.lossF.every((x) => x > 0), 'augmented views differ from the clean anchor');
  });

  it('swapping f and g negates m exactly', async () => {
    const images = firstImages(ds, 6);
    const a = await score({ f, g, images, views: 5, seed: 3 });
    const b = await score({ f: g, g: f, images, views: 5, seed: 3 });
    assert.deepEqual(Array.from(b.m), Array.from(a.m, (x) => -x));
    assert.deepEqual(b.lossF, a.lossG);
    assert.ok(a.m.some((x) => x !== 0));
  });

  it('m is the mean paired difference L_g - L_f with V (anchor) or V/2 (pairs) pairs of V augmented views', async () => {
    for (const mode of ['anchor', 'pairs'] as const) {
      const r = await score({ f, g, images: firstImages(ds, 4), views: 6, seed: 5, mode });
      assert.deepEqual(Array.from(r.count), new Array(4).fill(mode === 'anchor' ? 6 : 3));
      assert.deepEqual(Array.from(r.views), new Array(4).fill(6), 'augmented views in both modes');
      r.m.forEach((m, i) => assert.ok(Math.abs(m - (r.lossG[i] - r.lossF[i])) < 1e-12));
      assert.equal(r.mode, mode);
      assert.equal(r.pipeline.views[0].crop === undefined, mode === 'anchor', 'anchor mode has a clean view 0');
      assert.deepEqual(r.pipeline.views[r.pipeline.views.length - 1].normalize, { mean: [0.5], std: [0.5] }, "the encoders' normalization is applied");
    }
  });

  it('scores do not depend on batch size, threads or which points are scored together', async () => {
    const images = firstImages(ds, 10);
    const itemIds = Array.from({ length: 10 }, (_, i) => 100 + i);
    const base = await score({ f, g, images, itemIds, views: 4, seed: 9, batchSize: 10, threads: 1 });
    const other = await score({ f, g, images, itemIds, views: 4, seed: 9, batchSize: 3, threads: 2 });
    assert.deepEqual(other.m, base.m);
    assert.deepEqual(other.se, base.se);
    const [, h, w, c] = images.shape;
    const tail = await score({ f, g, images: { data: images.data.slice(7 * h * w * c), shape: [3, h, w, c] }, itemIds: itemIds.slice(7), views: 4, seed: 9 });
    assert.deepEqual(Array.from(tail.m), Array.from(base.m.subarray(7)));
    const reseeded = await score({ f, g, images, itemIds, views: 4, seed: 10 });
    assert.notDeepEqual(reseeded.m, base.m);
  });

  it('adaptive precision adds keyed chunks up to the budget and combines them exactly', async () => {
    const images = firstImages(ds, 3);
    const r = await score({ f, g, images, views: 4, seed: 2, adaptive: { targetSe: 0, maxViews: 12, step: 4 } });
    assert.deepEqual(Array.from(r.views), [12, 12, 12]);
    assert.deepEqual(Array.from(r.count), [12, 12, 12], 'three chunks of 4 augmented views, each against its clean anchor');
    const loose = await score({ f, g, images, views: 4, seed: 2, adaptive: { targetSe: 1e9, maxViews: 12, step: 4 } });
    assert.deepEqual(Array.from(loose.views), [4, 4, 4]);
    const plain = await score({ f, g, images, views: 4, seed: 2 });
    assert.deepEqual(loose.m, plain.m);
    // The combined mean is the pair-weighted mean of the chunks: chunk 0 is the plain run's 4 pairs.
    assert.ok(r.m.every((m, i) => Number.isFinite(m) && m !== plain.m[i]));
  });

  it('sharded scoring merged equals the unsharded outputs byte for byte', async () => {
    const manifest = makeSplits({ n: 1000, sizes: { shared: 8, candidates: 6, independent: 5 }, extra: { n: 4 }, seed: 1, datasetName: ds.name, fingerprint: datasetFingerprint(ds) });
    const common = { f, g, manifest, dataset: ds, views: 4, seed: 7, sharedSample: 5 };
    const whole = await scoreManifest(common);
    assert.equal(whole.total, 6 + 5 + 5 + 4);
    assert.deepEqual([whole.run.mode, whole.run.pairing, whole.run.views, whole.run.pairsPerPoint], ['anchor', 'anchor', 4, 4]);
    assert.ok(whole.points.every((p) => p.count === 4));
    const parts = [];
    for (let i = 2; i >= 0; i--) {
      const part = await scoreManifest({ ...common, shard: { index: i, count: 3 }, batchSize: 2 });
      parts.push({ format: 'sslmem-scores-part/1' as const, shard: { index: i, count: 3 }, total: part.total, run: JSON.parse(JSON.stringify(part.run)), points: JSON.parse(JSON.stringify(part.points)) });
    }
    const merged = mergeParts(parts);
    const a = finalizeScores(whole.points, whole.run);
    const b = finalizeScores(merged.points, merged.run);
    assert.equal(scoresCsv(b.points), scoresCsv(a.points));
    assert.equal(summaryJson(b.summary), summaryJson(a.summary));
  });

  it('refuses mismatched encoders, pipelines and datasets with clear errors', async () => {
    const small = jsEncoder(3, [1, 24, 24]);
    await assert.rejects(score({ f, g: small, images: firstImages(ds, 2) }), (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_MISMATCH' && /same input shape/.test(e.message) && /\[1, 24, 24\]/.test(e.message));
    const otherNorm = jsEncoder(3, [1, 28, 28], 16, { mean: [0.2], std: [0.3] });
    await assert.rejects(score({ f, g: otherNorm, images: firstImages(ds, 2) }), /same input normalization/);
    const pipeline = { name: 'x', views: [{ flip: 0.5, normalize: { mean: [0.1], std: [0.3] } }] };
    await assert.rejects(score({ f, g, images: firstImages(ds, 2), pipeline }), /normalize step \(view \d\) to equal the encoders' normalization/);
    await assert.rejects(score({ f, g, images: firstImages(ds, 2), views: 1 }), RangeError);
    await assert.rejects(score({ f, g, images: firstImages(ds, 2), views: 3, mode: 'pairs' }), RangeError);
    const manifest = makeSplits({ n: 1000, sizes: { shared: 2, candidates: 2, independent: 2 }, seed: 1, datasetName: ds.name, fingerprint: 'c'.repeat(64) });
    await assert.rejects(scoreManifest({ f, g, manifest, dataset: ds, views: 4 }), (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_MISMATCH' && /manifest was made for/.test(e.message));
  });

  it('an aborted signal stops scoring with an AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(score({ f, g, images: firstImages(ds, 2), views: 4, signal: controller.signal }), (e: Error) => e.name === 'AbortError');
  });
});
