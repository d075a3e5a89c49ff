/**
 * The designs' estimators against planted truth: a simulated alignment loss
 *   L(e, x) = a(x) + c_e + d(e, x) - mem(x) [e trained on x]
 * with a point term a, an encoder-wide offset c_e, point-by-point encoder disagreement d and the
 * planted memorization mem. The three properties the designs promise are checked: the swapped
 * estimate cancels offsets, K-pair standard errors match the spread over repeated runs, and the
 * subsampled estimator recovers per-point effects with calibrated intervals.
 */
import { strict as assert } from 'node:assert';
import { combineReplicates, combineSwapped, orientSplit, PairScores, swappedEstimate } from '../../lib/design/estimators';
import { mean, std } from '../../lib/score/stats';
import { mulberry32 } from '../support/mulberry32';

function gaussian(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/** A pair's scores when f and g have the given losses for every point (view noise se fixed). */
function pair(lossF: number[], lossG: number[], se = 0.001, count = 31): PairScores {
  return {
    lossF: Float64Array.from(lossF),
    lossG: Float64Array.from(lossG),
    m: Float64Array.from(lossG, (g, i) => g - lossF[i]),
    se: new Float64Array(lossF.length).fill(se),
    count: new Int32Array(lossF.length).fill(count),
  };
}

describe('design estimators', () => {
  it('combineReplicates: per-point mean over pairs, between-pair standard error with K - 1 df (hand-computed)', () => {
    const a = pair([1, 2], [1.5, 2.0]);
    const b = pair([1, 2], [1.1, 2.4]);
    const c = pair([1, 2], [1.3, 2.2]);
    const out = combineReplicates([a, b, c]);
    // m per pair: point 0: 0.5, 0.1, 0.3 -> mean 0.3, sd 0.2, se 0.2 / sqrt 3; point 1: 0, 0.4, 0.2.
    assert.ok(Math.abs(out.m[0] - 0.3) < 1e-12);
    assert.ok(Math.abs(out.se[0] - 0.2 / Math.sqrt(3)) < 1e-12);
    assert.ok(Math.abs(out.m[1] - 0.2) < 1e-12);
    assert.equal(out.count[0], 3);
    assert.equal(out.df[0], 2);
    assert.ok(Math.abs(out.lossG[0] - 1.3) < 1e-12);
    // One pair: its own view-noise error and count - 1 df.
    const single = combineReplicates([a]);
    assert.equal(single.se[0], 0.001);
    assert.equal(single.df[0], 30);
  });

  it('orientSplit: points of half B get L_f and L_g exchanged and m negated', () => {
    const s = pair([1, 2, 3], [1.5, 1.5, 3.25]);
    const o = orientSplit(s, [true, false, 0]);
    assert.deepEqual(Array.from(o.m), [0.5, 0.5, -0.25]);
    assert.deepEqual(Array.from(o.lossF), [1, 1.5, 3.25]);
    assert.deepEqual(Array.from(o.lossG), [1.5, 2, 3]);
  });

  it('swapped: with large planted encoder offsets, the offset-free estimate recovers the planted memorization; a single pair does not', () => {
    const random = mulberry32(11);
    const normal = gaussian(random);
    const n = 400;
    const mem = 0.01;
    // Offsets of f, g, f', g' (large beside mem), and a data-driven part: training on S_C makes an
    // encoder 0.02 more view-invariant everywhere.
    const offset = { f: 0.03, g: -0.04, f1: -0.02, g1: 0.05 };
    const dataEffect = -0.02;
    const a = Array.from({ length: 3 * n }, () => 0.5 + 0.1 * normal());
    const group = (i: number) => (i < n ? 'candidate' : i < 2 * n ? 'independent' : 'control');
    // Encoder e trained on S_S + S_C (withC) or S_S + S_I; control points are seen by both or neither.
    const loss = (i: number, c: number, withC: boolean) => {
      const seen = group(i) === 'candidate' ? withC : group(i) === 'independent' ? !withC : false;
      return a[i] + c + (withC ? dataEffect : 0) + 0.02 * normal() - (seen ? mem : 0);
    };
    const idx = Array.from({ length: 3 * n }, (_, i) => i);
    const p0 = pair(idx.map((i) => loss(i, offset.f, true)), idx.map((i) => loss(i, offset.g, false)));
    const p1 = pair(idx.map((i) => loss(i, offset.f1, false)), idx.map((i) => loss(i, offset.g1, true)));
    const roles = idx.map(group) as Array<'candidate' | 'independent' | 'control'>;
    const combined = combineSwapped(p0, p1, roles);
    const c = Array.from(combined.m.subarray(0, n));
    const ind = Array.from(combined.m.subarray(n, 2 * n));
    const e = swappedEstimate(c, ind);
    assert.ok(Math.abs(e.estimate - mem) < 3 * e.se, `estimate ${e.estimate} (se ${e.se}) vs planted ${mem}`);
    assert.ok(e.se < 0.002, `se ${e.se}`);
    // The single pair's S_C mean carries g - f's offset and the data effect: far from the truth.
    const singleC = mean(Array.from(p0.m).slice(0, n));
    assert.ok(Math.abs(singleC - mem) > 0.04, `single pair S_C mean ${singleC} (planted offset -0.05)`);
    // Controls: the data-driven offset cancels in the mean of the two pairs' m.
    const controls = Array.from(combined.m.subarray(2 * n));
    const expected = (offset.g - offset.f - dataEffect + offset.g1 + dataEffect - offset.f1) / 2;
    assert.ok(Math.abs(mean(controls) - expected) < 0.004, `controls ${mean(controls)} vs ${expected}`);
  });

  it('pairs: the between-pair standard error matches the spread of the per-point estimate over repeated experiments', () => {
    const random = mulberry32(5);
    const normal = gaussian(random);
    const k = 4;
    const runs = 600;
    const estimates: number[] = [];
    const ses: number[] = [];
    for (let run = 0; run < runs; run++) {
      const pairs: PairScores[] = [];
      for (let j = 0; j < k; j++) {
        // One point: m_j = 0.02 + training disagreement (sd 0.05) + view noise (sd 0.008).
        const lf = 0.5 + 0.05 * normal();
        pairs.push(pair([lf], [lf + 0.02 + 0.05 * normal() + 0.008 * normal()]));
      }
      const out = combineReplicates(pairs);
      estimates.push(out.m[0]);
      ses.push(out.se[0]);
    }
    const spread = std(estimates);
    const typicalSe = Math.sqrt(mean(ses.map((s) => s * s)));
    assert.ok(Math.abs(typicalSe / spread - 1) < 0.12, `rms se ${typicalSe} vs spread ${spread}`);
    // The view-noise-only error of one pair would understate it sixfold.
    assert.ok(spread > 4 * 0.008 / Math.sqrt(k));
  });

  it('subsampled: recovers planted per-point memorization, with calibrated 95% intervals', () => {
    const random = mulberry32(23);
    const normal = gaussian(random);
    const n = 300;
    const splits = 8;
    const mem = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0.06 : i % 3 === 1 ? 0.02 : 0));
    const a = Array.from({ length: n }, () => 0.5 + 0.1 * normal());
    const gaps: PairScores[] = [];
    for (let j = 0; j < splits; j++) {
      const inA = Array.from({ length: n }, () => random() < 0.5);
      const cA = 0.05 * normal();
      const cB = 0.05 * normal();
      // Encoder A trained on the points with inA, B on the others; each disagrees with the other point by point.
      const lossA = a.map((v, i) => v + cA + 0.03 * normal() - (inA[i] ? mem[i] : 0));
      const lossB = a.map((v, i) => v + cB + 0.03 * normal() - (inA[i] ? 0 : mem[i]));
      gaps.push(orientSplit(pair(lossA, lossB), inA));
    }
    const out = combineReplicates(gaps);
    let covered = 0;
    const t975 = 2.3646; // Student t, 7 df
    for (let i = 0; i < n; i++) if (Math.abs(out.m[i] - mem[i]) <= t975 * out.se[i]) covered++;
    assert.ok(covered / n > 0.9 && covered / n < 0.99, `coverage ${covered / n}`);
    const byLevel = [0.06, 0.02, 0].map((level) => mean(out.m.filter((_, i) => mem[i] === level)));
    assert.ok(Math.abs(byLevel[0] - 0.06) < 0.01 && Math.abs(byLevel[1] - 0.02) < 0.01 && Math.abs(byLevel[2]) < 0.01, `level means ${byLevel}`);
  });

  it('rejects mismatched lengths and unknown roles with errors naming the argument', () => {
    assert.throws(() => combineReplicates([pair([1], [1]), pair([1, 2], [1, 2])]), /pairs\[1\]\.lossF\.length/);
    assert.throws(() => combineReplicates([]), RangeError);
    assert.throws(() => combineSwapped(pair([1], [1]), pair([1], [1]), ['other' as never]), /role\[0\]/);
  });
});
