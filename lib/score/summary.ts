/**
 * From raw per-point scores to what a paper prints: normalized scores, per-point significance
 * (Benjamini–Hochberg within each split group), per-group statistics, Welch tests of S_C against the
 * other groups with effect sizes, a per-class breakdown and the top-k. A pure function of the raw
 * scores and the run description, so a merged sharded run gives exactly an unsharded run's result.
 */
import { assertOptions } from '../validate';
import { benjaminiHochberg, describeSample, Descriptive, effectSize, EffectSize, mean, oneSampleTTest, OneSampleResult, pointPValue, welchTTest, WelchResult } from './stats';

/** What scoring computes for one point; independent of batching, threads and sharding. */
export interface PointScore {
  /** Index into the dataset the point's group refers to (S_E may index another dataset). */
  index: number;
  /** Split group ('candidates', 'independent', 'shared', 'extra') or a caller's own group name. */
  group: string;
  label: number;
  /** Alignment loss of f: mean distance over the point's view pairs. */
  lossF: number;
  /** Alignment loss of g. */
  lossG: number;
  /** Raw memorization score m = L_g - L_f (mean over pairs of d_g - d_f). */
  m: number;
  /** Standard error of m from the paired differences (std ddof 1 / sqrt(count)). */
  se: number;
  /** Number of independent replicates behind se: view pairs (one pair of encoders) or encoder pairs / half-splits (lib/design). */
  count: number;
  /** Degrees of freedom of the point's t-test (default count - 1). */
  df?: number;
  /** LayerMem: the point's scores at each layer of the run's `layers` (same order), from the same views. */
  layers?: LayerPointScore[];
}

/** One point's raw scores at one layer (LayerMem; lib/score/layers.ts). */
export interface LayerPointScore {
  lossF: number;
  lossG: number;
  m: number;
  se: number;
  count: number;
}

/** A scored point with its normalized forms and significance. */
export interface ScoredPoint extends PointScore {
  /** m divided by the range (max m - min m) over the scored set; keeps the sign and zero. */
  mRange: number;
  /** (L_g - L_f) / (L_g + L_f). */
  mRelative: number;
  /** One-sided p-value of m > 0 (t with df, default count - 1, see `pointPValue`). */
  p: number;
  /** Benjamini–Hochberg adjusted p within the point's group. */
  q: number;
  /** q <= the FDR level. */
  significant: boolean;
}

/** How the scores were made; recorded in every output. */
export interface ScoreRunInfo {
  mode: 'anchor' | 'pairs';
  metric: string;
  pairing: string;
  /**
   * Augmented views per point (the initial number when adaptive), the same meaning in both modes:
   * anchor mode compares each with the clean image, pairs mode pairs them up.
   */
  views: number;
  /**
   * View pairs per point (the initial number when adaptive; each point's own count is its `count`):
   * `views` in anchor mode, floor(views / 2) in pairs mode. Absent in run descriptions written before
   * it was recorded, whose anchor-mode `views` counted the clean image too (views - 1 pairs).
   */
  pairsPerPoint?: number;
  /** Adaptive precision: `maxViews` and `step` count augmented views, like `views`. */
  adaptive: { targetSe: number; maxViews: number; step: number } | null;
  pipeline: unknown;
  seed: number;
  /** Precision of the forward passes (absent in runs written before it was recorded: fp32). */
  precision?: 'fp32' | 'bf16';
  /** Class names by label, when known. */
  classes?: string[];
  /** Free-form provenance: dataset, encoders, manifest. Must not depend on sharding or timing. */
  provenance?: Record<string, unknown>;
  /** LayerMem: the layers each point was also scored at (`sslmem score --layers`); the point's own numbers are the representation's. */
  layers?: string[];
  /** The experimental design behind the scores (lib/design's DesignInfo); absent: one pair, scored as given. */
  design?: { name: string; replicates: number; standardError: string };
}

/** The parts of a run description {@link describeViews} reads (a report may read older files). */
export interface RunViews {
  mode?: string;
  views?: number;
  pairsPerPoint?: number;
  adaptive?: { targetSe: number; maxViews: number; step: number } | null;
}

/**
 * The views and pairs of a run in words, for every output: "32 augmented views, each against the
 * clean image: 32 pairs per point" (anchor) or "32 augmented views in disjoint pairs: 16 pairs per
 * point" (pairs), with the adaptive budget when there is one. A description without
 * `pairsPerPoint` is from before augmented views were counted alone: its anchor-mode views include
 * the clean image.
 */
export function describeViews(run: RunViews): string {
  const { mode, views, pairsPerPoint, adaptive } = run;
  if (views === undefined) return 'views not recorded';
  let text: string;
  if (pairsPerPoint === undefined) {
    text = mode === 'anchor' ? `${views} views counting the clean image: ${views - 1} pairs per point` : `${views} views${mode === 'pairs' ? `: ${Math.floor(views / 2)} pairs per point` : ''}`;
  } else {
    const how = mode === 'anchor' ? ', each against the clean image' : mode === 'pairs' ? ' in disjoint pairs' : '';
    text = `${views} augmented views${how}: ${pairsPerPoint} pairs per point`;
  }
  if (adaptive) text += ` (adaptive: rounds of ${adaptive.step} more augmented views, up to ${adaptive.maxViews}, while se > ${adaptive.targetSe})`;
  return text;
}

export interface GroupSummary extends Descriptive {
  /** One-sample t-test of mean m = 0 (two-sided). */
  vsZero: OneSampleResult;
  significantCount: number;
  significantFraction: number;
}

export interface Comparison {
  a: string;
  b: string;
  /** One-sided Welch test, alternative mean m(a) > mean m(b). */
  welch: WelchResult;
  effect: EffectSize;
}

export interface ClassSummary {
  group: string;
  label: number;
  className: string;
  count: number;
  mean: number;
  significantFraction: number;
}

export interface ScoreSummary {
  format: 'sslmem-summary/1';
  run: ScoreRunInfo;
  fdr: number;
  points: number;
  /** The range used for m_range. */
  range: { min: number; max: number };
  groups: Record<string, GroupSummary>;
  comparisons: Comparison[];
  perClass: ClassSummary[];
  topK: Array<Pick<ScoredPoint, 'index' | 'group' | 'label' | 'm' | 'se' | 'p' | 'q'>>;
}

export interface FinalizeOptions {
  /** False discovery rate for the per-point tests (default 0.05). */
  fdr?: number;
  /** How many of the most memorized points to list (default 20). */
  topK?: number;
}

/** Groups compared with S_C in the summary (one-sided Welch, S_C greater). */
const COMPARED_WITH_CANDIDATES = ['shared', 'extra', 'independent'];

/** Normalizes, tests and summarizes raw scores. Pure: same input, same output. */
export function finalizeScores(points: readonly PointScore[], run: ScoreRunInfo, options: FinalizeOptions = {}): { points: ScoredPoint[]; summary: ScoreSummary } {
  assertOptions('options', options);
  const fdr = options.fdr ?? 0.05;
  const topK = options.topK ?? 20;
  let min = Infinity;
  let max = -Infinity;
  for (const point of points) {
    if (point.m < min) min = point.m;
    if (point.m > max) max = point.m;
  }
  const range = max - min;
  const p = points.map((point) => pointPValue(point.m, point.se, (point.df ?? point.count - 1) + 1));
  const q = new Float64Array(points.length).fill(NaN);
  const significant = new Uint8Array(points.length);
  const byGroup = new Map<string, number[]>();
  points.forEach((point, i) => {
    if (!byGroup.has(point.group)) byGroup.set(point.group, []);
    byGroup.get(point.group)!.push(i);
  });
  for (const members of byGroup.values()) {
    const bh = benjaminiHochberg(members.map((i) => p[i]), fdr);
    members.forEach((i, k) => {
      q[i] = bh.adjusted[k];
      significant[i] = bh.rejected[k];
    });
  }
  const scored: ScoredPoint[] = points.map((point, i) => ({
    ...point,
    mRange: range > 0 ? point.m / range : 0,
    mRelative: point.lossG + point.lossF === 0 ? 0 : (point.lossG - point.lossF) / (point.lossG + point.lossF),
    p: p[i],
    q: q[i],
    significant: significant[i] === 1,
  }));

  const groups: Record<string, GroupSummary> = {};
  const scoresOf = (members: number[]) => Float64Array.from(members, (i) => points[i].m);
  for (const [group, members] of byGroup) {
    const count = members.reduce((s, i) => s + significant[i], 0);
    groups[group] = { ...describeSample(scoresOf(members)), vsZero: oneSampleTTest(scoresOf(members)), significantCount: count, significantFraction: count / members.length };
  }
  const comparisons: Comparison[] = [];
  const candidates = byGroup.get('candidates');
  if (candidates && candidates.length >= 2) {
    for (const other of COMPARED_WITH_CANDIDATES) {
      const members = byGroup.get(other);
      if (!members || members.length < 2) continue;
      const a = scoresOf(candidates);
      const b = scoresOf(members);
      comparisons.push({ a: 'candidates', b: other, welch: welchTTest(a, b), effect: effectSize(a, b) });
    }
  }
  const perClass: ClassSummary[] = [];
  for (const [group, members] of byGroup) {
    const byLabel = new Map<number, number[]>();
    for (const i of members) {
      if (!byLabel.has(points[i].label)) byLabel.set(points[i].label, []);
      byLabel.get(points[i].label)!.push(i);
    }
    for (const label of [...byLabel.keys()].sort((x, y) => x - y)) {
      const ids = byLabel.get(label)!;
      const scores = scoresOf(ids);
      perClass.push({
        group,
        label,
        className: run.classes?.[label] ?? String(label),
        count: ids.length,
        mean: mean(scores),
        significantFraction: ids.reduce((s, i) => s + significant[i], 0) / ids.length,
      });
    }
  }
  const ranked = points.map((_, i) => i).sort((i, j) => points[j].m - points[i].m || i - j);
  const top = ranked.slice(0, topK).map((i) => ({ index: points[i].index, group: points[i].group, label: points[i].label, m: points[i].m, se: points[i].se, p: p[i], q: q[i] }));
  return {
    points: scored,
    summary: { format: 'sslmem-summary/1', run, fdr, points: points.length, range: { min, max }, groups, comparisons, perClass, topK: top },
  };
}
