import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { loadIdx, subset, ImageDataset } from '../../lib/data';
import type { Encoder } from '../../lib/encoder';
import { train } from '../../lib/train';
import { score, finalizeScores, PointScore } from '../../lib/score';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'fashion-mnist');

/**
 * Sizes of the check: f trains on S_C only, g on a disjoint S_I only, 150 epochs, 32 views (about
 * 4 minutes on 2 cores). Measured here: mean m(S_C) = -0.064 (se 0.008), mean m(S_I) = -0.090
 * (se 0.008), one-sided Welch p = 0.009. Both means are negative: g is more view-invariant than f
 * on every point (an encoder-level offset that raw m carries), so what this budget shows reliably
 * is the ordering S_C above S_I, which is what the test asserts. The absolute signs the paper expects
 * (S_C > 0 > S_I) were not seen at any budget run here, with or without a shared S_S (README,
 * "Evidence"); this single-seed ordering is the strongest signal measured on real data.
 */
const PER_GROUP = 64;
const EPOCHS = 150;
const VIEWS = 32;

describe('score: memorization signal on the Fashion-MNIST fixture (torch tier)', function () {
  this.timeout(600_000);
  let ds: ImageDataset;
  let f: Encoder | undefined;
  let g: Encoder | undefined;
  before(async function () {
    ds = await loadIdx(path.join(FIXTURE, 'train-1000-images-idx3-ubyte.gz'), path.join(FIXTURE, 'train-1000-labels-idx1-ubyte.gz'));
  });
  after(() => {
    f?.dispose();
    g?.dispose();
  });

  it('f trained on S_C scores S_C significantly above S_I (one-sided Welch p < 0.05)', async () => {
    const candidates = Array.from({ length: PER_GROUP }, (_, i) => i);
    const independent = Array.from({ length: PER_GROUP }, (_, i) => PER_GROUP + i);
    const fit = async (indices: number[]) =>
      (
        await train({
          images: subset(ds, indices).images,
          encoder: { architecture: 'small-cnn' },
          method: 'simclr',
          methodOptions: { temperature: 0.2 },
          pipeline: 'grayscale-28',
          epochs: EPOCHS,
          batchSize: PER_GROUP,
          optimizer: { name: 'adam', lr: 1e-3, weightDecay: 1e-6 },
          seed: 0,
        })
      ).encoder;
    f = await fit(candidates);
    g = await fit(independent);
    const all = [...candidates, ...independent];
    const r = await score({ f, g, images: subset(ds, all).images, itemIds: all, views: VIEWS, seed: 1 });
    const points: PointScore[] = all.map((index, k) => ({ index, group: k < PER_GROUP ? 'candidates' : 'independent', label: ds.labels[index], lossF: r.lossF[k], lossG: r.lossG[k], m: r.m[k], se: r.se[k], count: r.count[k] }));
    const { summary } = finalizeScores(points, { mode: 'anchor', metric: 'l2-normalized', pairing: 'anchor', views: VIEWS, adaptive: null, pipeline: r.pipeline, seed: 1 });
    const c = summary.groups.candidates;
    const i = summary.groups.independent;
    process.stdout.write(`      S_C mean m ${c.mean.toFixed(4)} (se ${c.se.toFixed(4)}), S_I ${i.mean.toFixed(4)} (se ${i.se.toFixed(4)}), Welch p ${summary.comparisons[0].welch.p.toExponential(2)}, ${(100 * c.significantFraction).toFixed(0)}% of S_C significant\n`);
    const vsIndependent = summary.comparisons.find((x) => x.b === 'independent');
    assert.ok(vsIndependent, 'the summary compares S_C with S_I');
    assert.ok(c.mean > i.mean, `mean m(S_C) ${c.mean} should exceed mean m(S_I) ${i.mean}`);
    assert.ok(vsIndependent.welch.p < 0.05, `one-sided Welch p ${vsIndependent.welch.p} should be below 0.05`);
  });
});
