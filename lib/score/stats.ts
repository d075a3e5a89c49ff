/**
 * The statistics a paper prints about memorization scores: descriptive statistics, Welch's t-test,
 * effect sizes, a per-point test and Benjamini–Hochberg. Definitions are stated on each function;
 * the distribution functions are in distributions.ts.
 */
import { outOfRange } from '../errors';
import { studentTSurvival } from './distributions';

type Numbers = ArrayLike<number>;

/** Arithmetic mean (NaN for an empty sample). */
export function mean(xs: Numbers): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** Sample variance with `ddof` (default 1, the unbiased estimator; NaN when n <= ddof). Two-pass. */
export function variance(xs: Numbers, ddof = 1): number {
  const n = xs.length;
  if (n <= ddof) return NaN;
  const mu = mean(xs);
  let s = 0;
  for (let i = 0; i < n; i++) s += (xs[i] - mu) * (xs[i] - mu);
  return s / (n - ddof);
}

/** Sample standard deviation with `ddof` (default 1). */
export function std(xs: Numbers, ddof = 1): number {
  return Math.sqrt(variance(xs, ddof));
}

/** A sorted copy (ascending) as a Float64Array. */
export function sorted(xs: Numbers): Float64Array {
  return Float64Array.from(xs).sort();
}

/**
 * The p-quantile by linear interpolation between order statistics: Hyndman & Fan (1996) type 7,
 * the default of R's `quantile` and numpy's `percentile`/`quantile` ("linear"): h = (n - 1) p,
 * Q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]) on the sorted sample.
 */
export function quantile(xs: Numbers, p: number, alreadySorted = false): number {
  if (!(p >= 0 && p <= 1)) throw outOfRange('p', 'a probability in [0, 1]', p);
  if (xs.length === 0) return NaN;
  const s = alreadySorted ? xs : sorted(xs);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** The median (type-7 0.5 quantile: the mean of the two middle values for even n). */
export function median(xs: Numbers): number {
  return quantile(xs, 0.5);
}

export interface WelchResult {
  meanA: number;
  meanB: number;
  /** meanA - meanB. */
  difference: number;
  /** sqrt(varA/nA + varB/nB). */
  se: number;
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** One-sided p-value for the alternative mean(A) > mean(B). */
  p: number;
}

/**
 * Welch's unequal-variance t-test (Welch 1947), one-sided, alternative mean(a) > mean(b):
 * t = (mean a - mean b) / sqrt(s_a²/n_a + s_b²/n_b) with ddof-1 variances, Welch–Satterthwaite
 * df = (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a-1) + (s_b²/n_b)²/(n_b-1)), p = P(T_df > t).
 * NaN fields when either sample has fewer than 2 points.
 */
export function welchTTest(a: Numbers, b: Numbers): WelchResult {
  const meanA = mean(a);
  const meanB = mean(b);
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const se = Math.sqrt(va + vb);
  const t = (meanA - meanB) / se;
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { meanA, meanB, difference: meanA - meanB, se, t, df, p: studentTSurvival(t, df) };
}

export interface EffectSize {
  /** Cohen's d: (mean a - mean b) / pooled SD, pooled SD = sqrt(((n_a-1)s_a² + (n_b-1)s_b²)/(n_a+n_b-2)). */
  cohenD: number;
  /** Hedges' g: d times the small-sample correction J = 1 - 3/(4(n_a+n_b) - 9) (Hedges 1981, approximate form). */
  hedgesG: number;
}

/** Cohen's d with the pooled standard deviation, and Hedges' bias-corrected g. */
export function effectSize(a: Numbers, b: Numbers): EffectSize {
  const na = a.length;
  const nb = b.length;
  const pooled = Math.sqrt(((na - 1) * variance(a) + (nb - 1) * variance(b)) / (na + nb - 2));
  const cohenD = (mean(a) - mean(b)) / pooled;
  return { cohenD, hedgesG: cohenD * (1 - 3 / (4 * (na + nb) - 9)) };
}

export interface OneSampleResult {
  mean: number;
  /** Standard error of the mean: s / sqrt(n). */
  se: number;
  t: number;
  df: number;
  /** Two-sided p-value for mean != 0. */
  p: number;
}

/** One-sample t-test of mean = 0, two-sided (is a group's mean score different from zero?). */
export function oneSampleTTest(xs: Numbers): OneSampleResult {
  const mu = mean(xs);
  const se = std(xs) / Math.sqrt(xs.length);
  const t = mu / se;
  const df = xs.length - 1;
  return { mean: mu, se, t, df, p: 2 * studentTSurvival(Math.abs(t), df) };
}

/**
 * Per-point test that m > 0 from its paired differences: t = m / se with count - 1 degrees of
 * freedom (the pairs of one point are i.i.d. given the point: fresh views, and in anchor mode a
 * fixed clean anchor), one-sided upper p = P(T > t). Degenerate cases: count < 2 gives NaN; se = 0
 * gives 0 for m > 0, 1 for m < 0 and 0.5 for m = 0 (e.g. identical encoders).
 */
export function pointPValue(m: number, se: number, count: number): number {
  if (!(count >= 2) || Number.isNaN(m) || Number.isNaN(se)) return NaN;
  if (se === 0) return m > 0 ? 0 : m < 0 ? 1 : 0.5;
  return studentTSurvival(m / se, count - 1);
}

export interface BenjaminiHochbergResult {
  /** BH-adjusted p-values (R's p.adjust "BH"): min over j >= i of p_(j) n / j, capped at 1. */
  adjusted: Float64Array;
  /** Rejected at level q: exactly the points with adjusted p <= q (the step-up rule). */
  rejected: Uint8Array;
}

/**
 * Benjamini & Hochberg (1995) step-up procedure at false discovery rate `q` (default 0.05): sort the
 * n finite p-values, find the largest k with p_(k) <= k q / n and reject p_(1..k). NaN p-values are
 * not tested (adjusted NaN, not rejected) and do not count in n.
 */
export function benjaminiHochberg(p: Numbers, q = 0.05): BenjaminiHochbergResult {
  const order: number[] = [];
  for (let i = 0; i < p.length; i++) if (!Number.isNaN(p[i])) order.push(i);
  order.sort((i, j) => p[i] - p[j] || i - j);
  const n = order.length;
  const adjusted = new Float64Array(p.length).fill(NaN);
  const rejected = new Uint8Array(p.length);
  let running = 1;
  for (let r = n - 1; r >= 0; r--) {
    const i = order[r];
    running = Math.min(running, (p[i] * n) / (r + 1));
    adjusted[i] = running;
    if (running <= q) rejected[i] = 1;
  }
  return { adjusted, rejected };
}

export interface Descriptive {
  count: number;
  mean: number;
  /** Standard error of the mean (std / sqrt(count)). */
  se: number;
  median: number;
  /** ddof 1. */
  std: number;
  min: number;
  max: number;
  /** Type-7 quantiles at 5, 25, 75 and 95 percent. */
  q05: number;
  q25: number;
  q75: number;
  q95: number;
}

/** Count, mean, standard error, median, std (ddof 1), min, max and type-7 quantiles. */
export function describeSample(xs: Numbers): Descriptive {
  const s = sorted(xs);
  const sd = std(s);
  return {
    count: s.length,
    mean: mean(s),
    se: sd / Math.sqrt(s.length),
    median: quantile(s, 0.5, true),
    std: sd,
    min: s.length ? s[0] : NaN,
    max: s.length ? s[s.length - 1] : NaN,
    q05: quantile(s, 0.05, true),
    q25: quantile(s, 0.25, true),
    q75: quantile(s, 0.75, true),
    q95: quantile(s, 0.95, true),
  };
}

/**
 * Combines two chunks' (count, mean, M2 = sum of squared deviations) exactly (Chan, Golub &
 * LeVeque 1979, the parallel form): mean = mean_a + δ n_b / n, M2 = M2_a + M2_b + δ² n_a n_b / n.
 */
export function combineMoments(a: { count: number; mean: number; m2: number }, b: { count: number; mean: number; m2: number }): { count: number; mean: number; m2: number } {
  if (a.count === 0) return { ...b };
  if (b.count === 0) return { ...a };
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  return { count, mean: a.mean + (delta * b.count) / count, m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count };
}
