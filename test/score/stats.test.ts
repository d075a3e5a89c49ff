import { strict as assert } from 'node:assert';
import { normalCdf, normalSurvival, regularizedIncompleteBeta, studentTCdf, studentTSurvival, logGamma } from '../../lib/score/distributions';
import { benjaminiHochberg, combineMoments, describeSample, effectSize, mean, median, oneSampleTTest, pointPValue, quantile, std, variance, welchTTest } from '../../lib/score/stats';

const close = (actual: number, expected: number, tol: number, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} is not within ${tol} of ${expected}`);

describe('score/distributions', () => {
  it('logGamma matches factorials and Γ(½) = √π', () => {
    close(logGamma(1), 0, 1e-14, 'lnΓ(1)');
    close(logGamma(11), Math.log(3628800), 1e-12, 'lnΓ(11)');
    close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14, 'lnΓ(½)');
  });

  it('the incomplete beta matches closed forms: I_x(a, 1) = x^a and I_x(1, b) = 1 - (1-x)^b', () => {
    for (const x of [0.01, 0.3, 0.77, 0.999]) {
      close(regularizedIncompleteBeta(x, 3.5, 1), x ** 3.5, 1e-13, `I_${x}(3.5,1)`);
      close(regularizedIncompleteBeta(x, 1, 2.25), 1 - (1 - x) ** 2.25, 1e-13, `I_${x}(1,2.25)`);
    }
  });

  it("Student's t matches the Cauchy (df 1) and df 2 closed forms", () => {
    for (const t of [-30, -2.5, -0.3, 0, 0.7, 4, 100]) {
      close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-13, `T_1(${t})`);
      close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-13, `T_2(${t})`);
    }
  });

  it("Student's t matches published critical values (e.g. t_0.975,10 = 2.228138852)", () => {
    // [quantile, df, critical value] from standard t tables (NIST/SEMATECH e-Handbook, Table 1.3.6.7.2).
    const table: Array<[number, number, number]> = [
      [0.975, 10, 2.228138852], [0.95, 10, 1.812461123], [0.99, 20, 2.527977003],
      [0.975, 30, 2.042272456], [0.995, 5, 4.032142984], [0.95, 1, 6.313751515],
    ];
    for (const [q, df, t] of table) {
      close(studentTCdf(t, df), q, 2e-9, `T_${df}(${t})`);
      close(studentTSurvival(-t, df), q, 2e-9, `upper tail at -${t}`);
    }
  });

  it("Student's t keeps its digits in both far tails (closed forms and scipy 1.17's values)", () => {
    const relative = (actual: number, expected: number, tol: number, what: string) => close(actual / expected, 1, tol, what);
    // df 1: P(T <= -t) = atan(1/t) / pi; df 2: P(T <= -t) = 1 / (s (s + t)), s = sqrt(2 + t^2).
    for (const t of [1e3, 1e10, 1e50]) {
      relative(studentTCdf(-t, 1), Math.atan(1 / t) / Math.PI, 1e-12, `T_1(-${t})`);
      const s = Math.sqrt(2 + t * t);
      relative(studentTCdf(-t, 2), 1 / (s * (s + t)), 1e-12, `T_2(-${t})`);
    }
    // scipy.stats.t.sf(t, df), recorded.
    const scipy: Array<[number, number, number]> = [
      [20, 300, 1.9315981281579945e-57], [40, 1000, 5.239426077586636e-210], [1e5, 3, 1.1026577904466273e-15],
      [8, 10, 5.887471394833083e-6], [3, 1000, 0.0013833545221190963],
    ];
    for (const [t, df, p] of scipy) {
      relative(studentTSurvival(t, df), p, 2e-12, `upper tail T_${df}(${t})`);
      relative(studentTCdf(-t, df), p, 2e-12, `lower tail T_${df}(-${t})`);
    }
  });

  it('the normal tails match published values, also far out', () => {
    // scipy.stats.norm.sf(z), recorded: both tails down to 1e-308.
    for (const [z, p] of [[10, 7.61985302416047e-24], [30, 4.906713927147908e-198], [37.5, 4.605353009581954e-308]]) {
      close(normalSurvival(z) / p, 1, 1e-12, `Q(${z}) relative`);
      close(normalCdf(-z) / p, 1, 1e-12, `Φ(-${z}) relative`);
    }
    close(normalCdf(1.959963985), 0.975, 1e-9, 'Φ(1.96)');
    close(normalSurvival(1.644853627), 0.05, 1e-9, 'upper 5%');
    close(normalSurvival(3.090232306), 0.001, 1e-11, 'upper 0.1%');
    close(normalSurvival(5) / 2.866515718791939e-7, 1, 1e-9, 'Q(5) relative');
    close(normalCdf(0), 0.5, 1e-15, 'Φ(0)');
  });
});

describe('score/stats', () => {
  it('descriptive statistics equal hand-worked values', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    assert.equal(mean(xs), 5);
    close(variance(xs, 0), 4, 1e-15, 'population variance');
    close(std(xs), Math.sqrt(32 / 7), 1e-15, 'sample std');
    assert.equal(median(xs), 4.5);
    assert.ok(Number.isNaN(mean([])));
  });

  it('quantiles follow type 7 (R and numpy defaults)', () => {
    // R: quantile(1:10, 0.25) = 3.25; numpy docs: np.percentile([[10,7,4],[3,2,1]], 50) = 3.5.
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.25), 3.25);
    assert.equal(quantile([10, 7, 4, 3, 2, 1], 0.5), 3.5);
    assert.equal(quantile([3, 1, 2], 0), 1);
    assert.equal(quantile([3, 1, 2], 1), 3);
    close(quantile([1, 2, 3, 4], 0.9), 3.7, 1e-15, 'q90');
    assert.throws(() => quantile([1], 1.5), RangeError);
  });

  it("Welch's test reproduces the Wikipedia example 1 (t = -2.46, df = 24.9, two-sided p = 0.021)", () => {
    const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const w = welchTTest(a1, a2);
    close(w.t, -2.46, 0.005, 't');
    close(w.df, 24.99, 0.01, 'df');
    close(2 * (1 - w.p), 0.021, 0.0005, 'two-sided p');
    // The one-sided alternative is mean(a) > mean(b): swapping the samples gives the other tail.
    close(welchTTest(a2, a1).p, 1 - w.p, 1e-12, 'swap');
  });

  it("Welch's df equals the hand-worked Satterthwaite value", () => {
    // a: mean 2.5, var 5/3; b: mean 6, var 10. se² = 5/12 + 2, df = se⁴ / ((5/12)²/3 + 2²/4).
    const w = welchTTest([1, 2, 3, 4], [2, 4, 6, 8, 10]);
    const se2 = 5 / 12 + 2;
    close(w.t, -3.5 / Math.sqrt(se2), 1e-14, 't');
    close(w.df, (se2 * se2) / ((5 / 12) ** 2 / 3 + 1), 1e-12, 'df');
  });

  it("effect sizes: Cohen's d with pooled SD and Hedges' g", () => {
    const e = effectSize([1, 2, 3], [3, 4, 5]);
    close(e.cohenD, -2, 1e-15, 'd');
    close(e.hedgesG, -2 * (1 - 3 / 15), 1e-15, 'g');
  });

  it('one-sample and per-point tests', () => {
    const r = oneSampleTTest([1, 2, 3, 4, 5]);
    close(r.t, 3 / (Math.sqrt(2.5) / Math.sqrt(5)), 1e-14, 't');
    close(r.p, 2 * studentTSurvival(r.t, 4), 1e-15, 'p');
    close(pointPValue(2.228138852, 1, 11), 0.025, 1e-9, 'one-sided t with count-1 df');
    assert.equal(pointPValue(0, 0, 10), 0.5);
    assert.equal(pointPValue(1, 0, 10), 0);
    assert.equal(pointPValue(-1, 0, 10), 1);
    assert.ok(Number.isNaN(pointPValue(1, 0.1, 1)));
  });

  it('Benjamini–Hochberg equals hand-worked adjusted p-values (R p.adjust "BH")', () => {
    // Sorted p: .005 .011 .02 .04 .13 (n = 5): p n / rank = .025 .0275 .0333 .05 .13, running min from the top.
    const p = [0.04, 0.005, 0.13, 0.011, 0.02];
    const r = benjaminiHochberg(p, 0.05);
    const expected = [0.05, 0.025, 0.13, 0.0275, 0.1 / 3];
    expected.forEach((e, i) => close(r.adjusted[i], e, 1e-15, `adjusted[${i}]`));
    assert.deepEqual(Array.from(r.rejected), [1, 1, 0, 1, 1]);
    // Step-up: .03 alone would fail (.03 > 1 x .05/4 = .0125) but passes because p_(4) = .04 <= .05.
    assert.deepEqual(Array.from(benjaminiHochberg([0.04, 0.03, 0.035, 0.038]).rejected), [1, 1, 1, 1]);
    const withNaN = benjaminiHochberg([NaN, 0.01, 0.5]);
    assert.ok(Number.isNaN(withNaN.adjusted[0]));
    close(withNaN.adjusted[1], 0.02, 1e-15, 'NaN does not count in n');
  });

  it('Chan et al. combination equals the moments of the pooled sample', () => {
    const a = [0.3, -1.2, 2.5, 0.7];
    const b = [1.1, 4.2, -0.4];
    const moments = (xs: number[]) => ({ count: xs.length, mean: mean(xs), m2: variance(xs, 0) * xs.length });
    const c = combineMoments(moments(a), moments(b));
    const all = moments([...a, ...b]);
    assert.equal(c.count, 7);
    close(c.mean, all.mean, 1e-15, 'mean');
    close(c.m2, all.m2, 1e-13, 'm2');
  });

  it('describeSample gathers the same numbers', () => {
    const d = describeSample([5, 1, 3, 2, 4]);
    assert.equal(d.count, 5);
    assert.equal(d.median, 3);
    assert.equal(d.q25, 2);
    assert.equal(d.min, 1);
    close(d.se, Math.sqrt(2.5 / 5), 1e-15, 'se');
  });
});
