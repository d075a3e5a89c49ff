import { strict as assert } from 'node:assert';
import { align, alignDifference, alignMetrics, pairings } from '../../lib/align';
import { Float32Tensor } from '../../lib/tensor';
import { assertClose, randomReprs, uniform } from './reference';

describe('alignDifference: the paired SSLMem estimate d_g - d_f', () => {
  const f = randomReprs(40, 7, 33, 101);
  const g = randomReprs(40, 7, 33, 102);

  it('meanF / meanG / pairs equal align() on each encoder, meanDiff equals meanG - meanF', async () => {
    for (const metric of alignMetrics) {
      for (const pairing of pairings) {
        const d = await alignDifference(f, g, { metric, pairing, returnPairs: true });
        const af = await align(f, { metric, pairing, returnPairs: true });
        const ag = await align(g, { metric, pairing, returnPairs: true });
        assert.equal(d.metric, metric);
        assert.equal(d.pairing, pairing);
        assert.equal(d.count, af.count);
        assert.deepEqual(d.meanF, af.mean);
        assert.deepEqual(d.meanG, ag.mean);
        assert.deepEqual(d.pairsF, af.pairs);
        assert.deepEqual(d.pairsG, ag.pairs);
        const diff = d.meanG.map((m, k) => m - d.meanF[k]);
        assertClose(d.meanDiff, diff, 1e-12, 1e-14, `${metric}/${pairing} meanDiff`);
        d.se.forEach((se, k) => assert.equal(se, d.stdDiff[k] / Math.sqrt(d.count)));
      }
    }
  });

  it('stdDiff is the sample std (ddof 1) of the per-pair differences', async () => {
    const d = await alignDifference(f, g, { pairing: 'all-pairs', returnPairs: true });
    const p = d.count;
    for (let n = 0; n < 40; n++) {
      // Differences of the float32 pair values: float32 rounding (~1e-7) is the tolerance.
      const diffs = Array.from({ length: p }, (_, k) => d.pairsG!.data[n * p + k] - d.pairsF!.data[n * p + k]);
      const m = diffs.reduce((a, b) => a + b, 0) / p;
      const s = Math.sqrt(diffs.reduce((a, b) => a + (b - m) ** 2, 0) / (p - 1));
      assert.ok(Math.abs(s - d.stdDiff[n]) < 1e-6, `point ${n}: ${s} vs ${d.stdDiff[n]}`);
    }
  });

  it('swapping f and g negates the difference exactly and keeps its spread', async () => {
    for (const metric of alignMetrics) {
      const a = await alignDifference(f, g, { metric, pairing: 'all-pairs' });
      const b = await alignDifference(g, f, { metric, pairing: 'all-pairs' });
      assert.deepEqual(b.meanDiff, a.meanDiff.map((x) => -x), metric);
      assert.deepEqual(b.stdDiff, a.stdDiff, metric);
      assert.deepEqual(b.se, a.se, metric);
    }
  });

  it('identical inputs give exactly zero difference, spread and standard error', async () => {
    for (const metric of alignMetrics) {
      const copy = { data: new Float32Array(f.data), shape: [...f.shape] };
      const d = await alignDifference(f, copy, { metric });
      for (const field of [d.meanDiff, d.stdDiff, d.se]) assert.ok(field.every((x) => x === 0), metric);
    }
  });

  it('thread count does not change a single bit', async () => {
    const big = randomReprs(501, 5, 40, 103);
    const big2 = randomReprs(501, 5, 40, 104);
    const one = await alignDifference(big, big2, { threads: 1 });
    const all = await alignDifference(big, big2, { threads: 0 });
    const three = await alignDifference(big, big2, { threads: 3 });
    for (const r of [all, three]) {
      for (const key of ['meanF', 'meanG', 'meanDiff', 'stdDiff', 'se'] as const) {
        assert.deepEqual(Buffer.from(r[key].buffer), Buffer.from(one[key].buffer), key);
      }
    }
  });
});

describe('alignDifference: the standard error is right on data with known variance', () => {
  // D = 1, raw L2, anchor mode with the anchor at 0: every pair value is the view's own value.
  // f's views: 1 + u (u ~ U(-0.9, 0.9), large variance, shared by g); g's views: f's + 1 + w with
  // w ~ U(-0.5, 0.5). So d_g - d_f = 1 + w pair by pair: true mean 1, variance 1/12, whatever u is.
  const points = 4000, views = 16, pairs = views - 1;
  const sigma2 = 1 / 12;
  const u = uniform(2024);
  const fData = new Float32Array(points * views), gData = new Float32Array(points * views);
  for (let n = 0; n < points; n++) {
    for (let v = 1; v < views; v++) {
      const fv = 1 + 1.8 * (u() - 0.5);
      fData[n * views + v] = fv;
      gData[n * views + v] = fv + 1 + (u() - 0.5);
    }
  }
  const f: Float32Tensor = { data: fData, shape: [points, views, 1] };
  const g: Float32Tensor = { data: gData, shape: [points, views, 1] };

  it('mean se^2 matches sigma^2 / P, the spread of meanDiff matches it, and 95% intervals cover', async () => {
    const d = await alignDifference(f, g, { metric: 'l2', pairing: 'anchor' });
    assert.equal(d.count, pairs);
    const expectedVar = sigma2 / pairs;
    const meanSe2 = d.se.reduce((a, s) => a + s * s, 0) / points;
    // s^2 is unbiased; its average over 4000 points has ~0.5% relative sd (uniform data).
    assert.ok(Math.abs(meanSe2 / expectedVar - 1) < 0.03, `mean se^2 ${meanSe2} vs ${expectedVar}`);
    const grand = d.meanDiff.reduce((a, b) => a + b, 0) / points;
    assert.ok(Math.abs(grand - 1) < 5 * Math.sqrt(expectedVar / points), `grand mean ${grand}`);
    const empiricalVar = d.meanDiff.reduce((a, m) => a + (m - grand) ** 2, 0) / (points - 1);
    // Sample variance of 4000 near-normal means: ~2.2% relative sd; 8% is > 3.5 sd.
    assert.ok(Math.abs(empiricalVar / expectedVar - 1) < 0.08, `var(meanDiff) ${empiricalVar} vs ${expectedVar}`);
    // With t(14) quantiles, +-1.96 se covers 93.0%; binomial sd over 4000 points is 0.4%.
    const covered = d.meanDiff.filter((m, k) => Math.abs(m - 1) <= 1.96 * d.se[k]).length / points;
    assert.ok(covered > 0.915 && covered < 0.945, `coverage ${covered}`);
  });

  it('the paired se is far below the se of two independent means (common random numbers)', async () => {
    const d = await alignDifference(f, g, { metric: 'l2', pairing: 'anchor' });
    const af = await align(f, { metric: 'l2' });
    const ag = await align(g, { metric: 'l2' });
    const unpaired = af.std.map((s, k) => Math.sqrt((s * s + ag.std[k] ** 2) / pairs));
    const ratio = d.se.reduce((a, s) => a + s, 0) / unpaired.reduce((a, s) => a + s, 0);
    assert.ok(ratio < 0.5, `paired/unpaired se ratio ${ratio}`);
  });
});
