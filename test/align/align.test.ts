import { strict as assert } from 'node:assert';
import { align, alignMetrics, AlignMetric, metricKind, pairCount, pairIndices, pairings } from '../../lib/align';
import { ALIGN_ATOL, adversarialSets, assertClose, randomReprs, referenceAlign, referencePairs, row } from './reference';

/**
 * Tolerances against the float64 reference (align.h: products exact in float64, summation error
 * ~D 2^-53): relative 1e-12 everywhere, plus an absolute floor where the value is a difference of
 * O(1) quantities (cosine: 1e-13; normalized distances: 1e-14). Pair values are float32, so they
 * are compared with the reference rounded to float32, within one float32 ulp (2^-23 relative).
 */
const RTOL = 1e-12;
const ATOL = ALIGN_ATOL;
const F32_ULP = 2 ** -23;

describe('align: pairings and metric names', () => {
  it('pairIndices gives the documented pairs and pairCount their number', () => {
    assert.deepEqual(pairIndices('anchor', 4), [[0, 1], [0, 2], [0, 3]]);
    assert.deepEqual(pairIndices('pairs', 5), [[0, 1], [2, 3]]);
    assert.deepEqual(pairIndices('all-pairs', 4), [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    for (const p of pairings) for (const v of [2, 3, 8, 9]) assert.equal(pairCount(p, v), referencePairs(p, v).length);
    assert.throws(() => pairCount('anchor', 1), RangeError);
  });

  it('metricKind says which metrics are similarities', () => {
    assert.deepEqual(alignMetrics.filter((m) => metricKind(m) === 'similarity'), ['cosine-similarity']);
  });
});

describe('align: agrees with a float64 reference written from the definitions', () => {
  const sets = adversarialSets();
  for (const [name, reprs] of Object.entries(sets)) {
    it(`data set "${name}" [${reprs.shape.join(', ')}], every metric and pairing`, async () => {
      for (const metric of alignMetrics) {
        for (const pairing of pairings) {
          if (reprs.shape[1] < 2) continue;
          const got = await align(reprs, { metric, pairing, returnPairs: true });
          const ref = referenceAlign(reprs, metric, pairing);
          const what = `${name}/${metric}/${pairing}`;
          assert.equal(got.metric, metric);
          assert.equal(got.pairing, pairing);
          assert.equal(got.count, ref.count, what);
          assertClose(got.mean, ref.mean, RTOL, ATOL[metric], `${what} mean`);
          // A spread is only as precise as the values it spreads: tolerance relative to the point's mean.
          const stdAtol = ref.mean.map((m) => ATOL[metric] + RTOL * Math.abs(m));
          assertClose(got.std, ref.std, RTOL, stdAtol, `${what} std`);
          assert.deepEqual(got.pairs!.shape, [reprs.shape[0], ref.count]);
          assertClose(got.pairs!.data, Float32Array.from(ref.values), F32_ULP, ATOL[metric], `${what} pairs`);
        }
      }
    });
  }

  it('the near-identical set defeats sqrt(2 - 2cos), so the test above would catch it', () => {
    const reprs = sets.nearIdentical;
    const exact = referenceAlign(reprs, 'l2-normalized', 'anchor').values;
    const cos = referenceAlign(reprs, 'cosine-similarity', 'anchor').values;
    const naive = cos.map((c) => Math.sqrt(Math.max(0, 2 - 2 * c)));
    const worst = Math.max(...exact.map((e, k) => Math.abs(naive[k] - e)));
    assert.ok(worst > 100 * ATOL['l2-normalized'], `naive formula error ${worst}`);
    assert.ok(Math.max(...exact) < 1e-6 && Math.min(...exact) > 0, 'distances of a few ulps');
  });

  it('zero vectors follow the F.normalize rule: cosine 0, l2-normalized 1 (0 between two zero vectors), angle pi/2', async () => {
    const reprs = sets.zeros;
    const cos = await align(reprs, { metric: 'cosine-similarity', pairing: 'all-pairs', returnPairs: true });
    const l2n = await align(reprs, { metric: 'l2-normalized', pairing: 'all-pairs', returnPairs: true });
    const ang = await align(reprs, { metric: 'angular', pairing: 'all-pairs', returnPairs: true });
    // Point 2: views 0 and 1 are zero. Pair (0,1) is index 0, pair (0,2) index 1.
    const at = (t: { data: Float32Array }, p: number, k: number) => t.data[p * 6 + k];
    assert.equal(at(cos.pairs!, 2, 0), 0);
    assert.equal(at(l2n.pairs!, 2, 0), 0);
    assert.equal(at(ang.pairs!, 2, 0), Math.fround(Math.PI / 2));
    assert.equal(at(cos.pairs!, 0, 1), 0);
    assert.ok(Math.abs(at(l2n.pairs!, 0, 1) - 1) < 1e-7);
    assert.equal(at(ang.pairs!, 0, 1), Math.fround(Math.PI / 2));
  });

  it('angular equals acos(cosine similarity) where acos is well conditioned', async () => {
    const reprs = randomReprs(20, 6, 50, 11);
    const ang = await align(reprs, { metric: 'angular', pairing: 'all-pairs', returnPairs: true });
    const cos = await align(reprs, { metric: 'cosine-similarity', pairing: 'all-pairs', returnPairs: true });
    const ref = new Float64Array(cos.pairs!.data.length);
    const cosRef = referenceAlign(reprs, 'cosine-similarity', 'all-pairs').values;
    cosRef.forEach((c, k) => (ref[k] = Math.acos(c)));
    assertClose(ang.pairs!.data, Float32Array.from(ref), F32_ULP, 1e-7, 'angular');
  });
});

describe('align: invariances', () => {
  const reprs = randomReprs(30, 5, 24, 21);
  const normalized: AlignMetric[] = ['cosine-similarity', 'cosine-distance', 'l2-normalized', 'angular'];

  it('scaling a row by a power of two leaves normalized metrics bit-identical', async () => {
    const scaled = { data: new Float32Array(reprs.data), shape: reprs.shape };
    for (let p = 0; p < 30; p++) for (let v = 0; v < 5; v++) row(scaled, p, v).forEach((x, k, r) => (r[k] = x * 2 ** (((p * 5 + v) % 41) - 20)));
    for (const metric of normalized) {
      const a = await align(reprs, { metric, pairing: 'all-pairs' });
      const b = await align(scaled, { metric, pairing: 'all-pairs' });
      assert.deepEqual(b.mean, a.mean, metric);
      assert.deepEqual(b.std, a.std, metric);
    }
  });

  it('scaling by arbitrary positive factors changes normalized metrics only by float32 rounding', async () => {
    const scaled = { data: new Float32Array(reprs.data), shape: reprs.shape };
    for (let p = 0; p < 30; p++) for (let v = 0; v < 5; v++) row(scaled, p, v).forEach((x, k, r) => (r[k] = x * (0.37 + 1e3 * ((p + v) % 3))));
    for (const metric of normalized) {
      const a = await align(reprs, { metric, pairing: 'anchor' });
      const b = await align(scaled, { metric, pairing: 'anchor' });
      assertClose(b.mean, a.mean, 1e-6, 1e-6, metric);
    }
    // ...whereas the raw L2 distance does change: the invariance test is not vacuous.
    const raw = await align(reprs, { metric: 'l2' });
    const rawScaled = await align(scaled, { metric: 'l2' });
    assert.ok(Math.abs(rawScaled.mean[1] - raw.mean[1]) > 1);
  });

  it('identical views give exactly zero distance and a cosine similarity of 1 (within 1e-15)', async () => {
    const same = { data: new Float32Array(4 * 3 * 10), shape: [4, 3, 10] };
    const base = randomReprs(4, 1, 10, 31);
    for (let p = 0; p < 4; p++) for (let v = 0; v < 3; v++) row(same, p, v).set(row(base, p, 0));
    for (const metric of ['l2-normalized', 'l2', 'squared-l2', 'angular'] as AlignMetric[]) {
      const r = await align(same, { metric, pairing: 'all-pairs' });
      assert.deepEqual([...r.mean], [0, 0, 0, 0], metric);
    }
    const cos = await align(same, { metric: 'cosine-similarity' });
    cos.mean.forEach((c) => assert.ok(Math.abs(c - 1) < 1e-15));
  });

  it('results are bit-identical for every thread count', async () => {
    const big = randomReprs(997, 6, 48, 41);
    const runs = await Promise.all([1, 2, 3, 7, 0].map((threads) => align(big, { threads, pairing: 'all-pairs', returnPairs: true })));
    for (const r of runs.slice(1)) {
      assert.deepEqual(Buffer.from(r.mean.buffer), Buffer.from(runs[0].mean.buffer));
      assert.deepEqual(Buffer.from(r.std.buffer), Buffer.from(runs[0].std.buffer));
      assert.deepEqual(Buffer.from(r.pairs!.data.buffer), Buffer.from(runs[0].pairs!.data.buffer));
    }
  });

  it('a single pair per point (V = 2, anchor) has std NaN (ddof 1 of one value)', async () => {
    const r = await align(randomReprs(3, 2, 5, 51));
    assert.equal(r.count, 1);
    r.std.forEach((s) => assert.ok(Number.isNaN(s)));
  });

  it('runs off the main thread: timers fire while a large job runs', async () => {
    const big = { data: new Float32Array(2048 * 16 * 512).fill(0.5), shape: [2048, 16, 512] }; // 64 MB
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await align(big, { threads: 1, pairing: 'all-pairs' });
    clearInterval(timer);
    assert.ok(ticks > 0, 'timers fired during the native job');
  });

  it('honours byteOffset: a tensor viewing the middle of a buffer', async () => {
    const whole = randomReprs(5, 3, 8, 61);
    const part = { data: whole.data.subarray(3 * 8, 4 * 3 * 8), shape: [3, 3, 8] }; // points 1..3
    const a = await align(whole);
    const b = await align(part);
    assert.deepEqual([...b.mean], [...a.mean.subarray(1, 4)]);
  });
});
