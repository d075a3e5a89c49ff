/**
 * Rank statistics for relating memorization to typicality: average ranks (ties share the mean of
 * the ranks they span) and Spearman's rank correlation, the Pearson correlation of those ranks
 * (Spearman 1904; the tie handling of scipy.stats.spearmanr).
 */
import { outOfRange } from '../errors';
import { normalSurvival } from '../score/distributions';

/** 1-based ranks; tied values get the average of the ranks they occupy. NaN is not allowed. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) if (Number.isNaN(values[i])) throw outOfRange(`values[${i}]`, 'a number', 'NaN', true);
  order.sort((a, b) => values[a] - values[b] || a - b);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // mean of the 1-based ranks start+1 .. end
    for (let i = start; i < end; i++) ranks[order[i]] = rank;
    start = end;
  }
  return ranks;
}

/** Pearson's correlation; NaN when either sample is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (y.length !== n) throw outOfRange('y.length', `${n} (the length of x)`, y.length);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

export interface SpearmanResult {
  /** Spearman's rho in [-1, 1]; NaN when either sample is constant. */
  rho: number;
  n: number;
  /**
   * Two-sided p-value of rho = 0 from the large-sample normal approximation z = rho sqrt(n - 1)
   * (adequate for n in the hundreds, as here).
   */
  p: number;
}

/** Spearman's rank correlation with average ranks for ties. Needs at least 3 pairs. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): SpearmanResult {
  if (x.length !== y.length) throw outOfRange('y.length', `${x.length} (the length of x)`, y.length);
  if (x.length < 3) throw outOfRange('x.length', 'at least 3 pairs', x.length);
  const rho = pearson(averageRanks(x), averageRanks(y));
  const z = Math.abs(rho) * Math.sqrt(x.length - 1);
  return { rho, n: x.length, p: Number.isNaN(rho) ? NaN : 2 * normalSurvival(z) };
}
