/**
 * How the scores of several encoders combine into one memorization score per point, for each
 * experimental design (docs/scoring.md, "Designs"). Pure functions of per-encoder scores, so they
 * are tested against planted truth without training anything.
 *
 * A "pair score" is what scoring one (f, g) pair gives a point: L_f, L_g, m = L_g - L_f and the
 * standard error of m over its view pairs. Every encoder of an experiment sees the same views of a
 * point (views are keyed by the point's dataset index), so pair scores of one point are paired.
 */
import { outOfRange } from '../errors';
import { studentTSurvival } from '../score/distributions';
import { mean, variance, welchTTest } from '../score/stats';

/** One (f, g) pair's scores of N points, aligned by position. */
export interface PairScores {
  lossF: ArrayLike<number>;
  lossG: ArrayLike<number>;
  m: ArrayLike<number>;
  se: ArrayLike<number>;
  count: ArrayLike<number>;
}

/** Combined per-point scores: m, its standard error and the degrees of freedom of its t-test. */
export interface CombinedScores {
  lossF: Float64Array;
  lossG: Float64Array;
  m: Float64Array;
  se: Float64Array;
  /** How many independent replicates the standard error comes from (view pairs or encoder pairs). */
  count: Int32Array;
  /** Degrees of freedom of the point's t-test. */
  df: Float64Array;
}

function sizeOf(scores: readonly PairScores[], name: string): number {
  if (scores.length === 0) throw outOfRange(name, 'at least one pair of scores', 0);
  const n = scores[0].m.length;
  scores.forEach((s, k) => {
    for (const key of ['lossF', 'lossG', 'm', 'se', 'count'] as const) {
      if (s[key].length !== n) throw outOfRange(`${name}[${k}].${key}.length`, `${n} (as ${name}[0])`, s[key].length);
    }
  });
  return n;
}

/**
 * Independent replicates of one comparison: K pairs of encoders trained on the same split with
 * different seeds, or the J half-splits of the subsampled design (each oriented with
 * {@link orientSplit}). Per point: the mean over replicates of L_f, L_g and m. With K >= 2 the
 * standard error is the spread of m over the replicates, sd_k(m_k) / sqrt(K), with K - 1 degrees
 * of freedom: it includes training randomness (two encoders disagreeing point by point), not only
 * view noise. With K = 1 it is the pair's own view-noise standard error (count - 1 degrees of
 * freedom), as for a single pair.
 */
export function combineReplicates(pairs: readonly PairScores[]): CombinedScores {
  const n = sizeOf(pairs, 'pairs');
  const k = pairs.length;
  const out = emptyCombined(n);
  const values = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let lf = 0;
    let lg = 0;
    for (let j = 0; j < k; j++) {
      lf += pairs[j].lossF[i];
      lg += pairs[j].lossG[i];
      values[j] = pairs[j].m[i];
    }
    out.lossF[i] = lf / k;
    out.lossG[i] = lg / k;
    out.m[i] = mean(values);
    if (k >= 2) {
      out.se[i] = Math.sqrt(variance(values) / k);
      out.count[i] = k;
      out.df[i] = k - 1;
    } else {
      out.se[i] = pairs[0].se[i];
      out.count[i] = pairs[0].count[i];
      out.df[i] = pairs[0].count[i] - 1;
    }
  }
  return out;
}

/**
 * The swapped replicate: `pair` trained f on S_S + S_C and g on S_S + S_I; `mirror` trained its f
 * on S_S + S_I and its g on S_S + S_C (so its candidates are S_I). `role` says, per point, whether
 * the pair's f saw it ('candidate': S_C), the mirror's f saw it ('independent': S_I), or both or
 * neither did ('control': S_S, S_E).
 *
 * For S_C and S_I points the score is the memorization by the encoders that trained on the point,
 * averaged over the two pairs: L(encoder without x) - L(encoder with x). Writing each encoder's
 * loss as a point term plus an encoder-wide offset c_e, S_C points carry +(c_g - c_f - c_g' + c_f')/2
 * and S_I points the same with the opposite sign, so the pooled mean over S_C and S_I (equal sizes)
 * is free of every encoder's offset: {@link swappedEstimate}. Controls get the mean of the two pairs'
 * m, in which an offset that follows the data (one training set making encoders more view-invariant)
 * cancels. Per-point standard errors are view noise only: sqrt(se^2 + se'^2) / 2.
 */
export function combineSwapped(pair: PairScores, mirror: PairScores, role: ArrayLike<'candidate' | 'independent' | 'control'>): CombinedScores {
  const n = sizeOf([pair, mirror], 'pairs');
  if (role.length !== n) throw outOfRange('role.length', String(n), role.length);
  const out = emptyCombined(n);
  for (let i = 0; i < n; i++) {
    const r = role[i];
    // L(with x) and L(without x) for S_C / S_I; for controls "f side" is each pair's own f.
    if (r === 'candidate') {
      out.lossF[i] = (pair.lossF[i] + mirror.lossG[i]) / 2;
      out.lossG[i] = (pair.lossG[i] + mirror.lossF[i]) / 2;
    } else if (r === 'independent') {
      out.lossF[i] = (pair.lossG[i] + mirror.lossF[i]) / 2;
      out.lossG[i] = (pair.lossF[i] + mirror.lossG[i]) / 2;
    } else if (r === 'control') {
      out.lossF[i] = (pair.lossF[i] + mirror.lossF[i]) / 2;
      out.lossG[i] = (pair.lossG[i] + mirror.lossG[i]) / 2;
    } else {
      throw outOfRange(`role[${i}]`, "'candidate', 'independent' or 'control'", r);
    }
    out.m[i] = out.lossG[i] - out.lossF[i];
    out.se[i] = Math.sqrt(pair.se[i] ** 2 + mirror.se[i] ** 2) / 2;
    out.count[i] = Math.min(pair.count[i], mirror.count[i]);
    out.df[i] = out.count[i] - 1;
  }
  return out;
}

/** A design-level estimate with its standard error. */
export interface DesignEstimate {
  estimate: number;
  se: number;
  df: number;
  t: number;
  /** One-sided p of estimate > 0 (Student t with df). */
  p: number;
}

/**
 * The swapped design's offset-free estimate: the mean memorization of S_C and S_I,
 * (mean_C + mean_I) / 2 of the swapped scores, with standard error
 * sqrt(s_C^2 / n_C + s_I^2 / n_I) / 2 from the within-group spreads (each group's shared offset is a
 * constant within the group, so it is not in the spread, and it cancels in the estimate) and
 * Welch–Satterthwaite degrees of freedom.
 */
export function swappedEstimate(candidates: ArrayLike<number>, independent: ArrayLike<number>): DesignEstimate {
  if (candidates.length < 2 || independent.length < 2) throw outOfRange('groups', 'at least 2 points in S_C and in S_I', `${candidates.length} and ${independent.length}`);
  // Welch's test of the two groups has exactly this error (halved) and these degrees of freedom.
  const welch = welchTTest(candidates, independent);
  const estimate = (welch.meanA + welch.meanB) / 2;
  const se = welch.se / 2;
  const t = estimate / se;
  return { estimate, se, df: welch.df, t, p: studentTSurvival(t, welch.df) };
}

/**
 * The subsampled design (after Feldman & Zhang's estimator for supervised memorization): J seeded
 * half-splits of a pool, two encoders per split (one on each half, same seed). Split j gives every
 * point the gap d_j = L(encoder of the other half) - L(encoder of its own half). Combined with
 * {@link combineReplicates}: m = mean_j d_j, the mean loss of the encoders that did not train on the
 * point minus that of those that did, with standard error sd_j(d_j) / sqrt(J). Each point is
 * compared with itself, so point-to-point disagreement between two encoders averages out instead of
 * entering every point's score.
 *
 * Orients one split's scores per point: `scores` came from scoring every point with f = the
 * encoder of half A and g = the encoder of half B; `inA[i]` says whether point i is in A. Points of
 * B get L_f and L_g exchanged and m negated, so f is always the encoder that saw the point.
 */
export function orientSplit(scores: PairScores, inA: ArrayLike<boolean | number>): PairScores {
  const n = sizeOf([scores], 'scores');
  if (inA.length !== n) throw outOfRange('inA.length', String(n), inA.length);
  const lossF = new Float64Array(n);
  const lossG = new Float64Array(n);
  const m = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Boolean(inA[i]);
    lossF[i] = a ? scores.lossF[i] : scores.lossG[i];
    lossG[i] = a ? scores.lossG[i] : scores.lossF[i];
    m[i] = a ? scores.m[i] : -scores.m[i];
  }
  return { lossF, lossG, m, se: Float64Array.from(scores.se), count: Int32Array.from(scores.count) };
}

function emptyCombined(n: number): CombinedScores {
  return { lossF: new Float64Array(n), lossG: new Float64Array(n), m: new Float64Array(n), se: new Float64Array(n), count: new Int32Array(n), df: new Float64Array(n) };
}
