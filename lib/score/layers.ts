/**
 * LayerMem's outputs (Wang et al., "Localizing Memorization in SSL Vision Encoders", NeurIPS 2024):
 * from the per-point, per-layer raw scores of {@link scoreLayers}, the per-layer group statistics,
 * the increments between consecutive layers (ΔLayerMem) and the files `sslmem score --layers`
 * writes: layers.csv (one column set per layer) and layers.json. Like the score summary, a pure
 * function of the raw scores, so a merged sharded run writes the same bytes as an unsharded one.
 */
import { csvField } from './scores-csv';
import { describeSample, Descriptive, oneSampleTTest, OneSampleResult, welchTTest, WelchResult } from './stats';
import type { LayerPointScore, PointScore, ScoreRunInfo } from './summary';

export const LAYERS_FORMAT = 'sslmem-layers/1';

/** Statistics of m over one group's points at one layer. */
export interface LayerGroupStats extends Descriptive {
  /** Two-sided one-sample t-test of mean m = 0. */
  vsZero: OneSampleResult;
}

/** ΔLayerMem of one group: per point m(layer) - m(previous layer), described over the group's points. */
export interface LayerDelta extends Descriptive {
  /** Two-sided paired test of no change (one-sample t-test of the differences). */
  vsZero: OneSampleResult;
}

export interface LayerSummary {
  format: typeof LAYERS_FORMAT;
  /** Layers in the order scored (input to output when from 'all'). */
  layers: string[];
  points: number;
  perLayer: Array<{
    layer: string;
    groups: Record<string, LayerGroupStats>;
    /** One-sided Welch tests, mean m(candidates) > mean m(other group), when candidates were scored. */
    comparisons: Array<{ a: string; b: string; welch: WelchResult }>;
    /** ΔLayerMem from the previous layer in `layers` (absent for the first). */
    delta?: { from: string; groups: Record<string, LayerDelta> };
  }>;
}

/** The per-layer scores of the points, checked against the run's layer list. */
function layerScores(points: readonly PointScore[], layers: readonly string[]): LayerPointScore[][] {
  return points.map((p, k) => {
    if (!p.layers || p.layers.length !== layers.length) throw new RangeError(`Expected ${layers.length} layer scores for points[${k}] but received ${p.layers?.length ?? 'none'}`);
    return p.layers;
  });
}

/** Group names in first-seen order. */
function groupsOf(points: readonly PointScore[]): string[] {
  return [...new Set(points.map((p) => p.group))];
}

/** Per-layer group statistics, Welch tests of S_C against the other groups, and ΔLayerMem. */
export function summarizeLayers(points: readonly PointScore[], run: Pick<ScoreRunInfo, 'layers'>): LayerSummary {
  const layers = run.layers ?? [];
  const scores = layerScores(points, layers);
  const groups = groupsOf(points);
  const members = (group: string) => points.flatMap((p, k) => (p.group === group ? [k] : []));
  const perLayer = layers.map((layer, l) => {
    const values = (group: string) => members(group).map((k) => scores[k][l].m);
    const stats: Record<string, LayerGroupStats> = {};
    for (const group of groups) stats[group] = { ...describeSample(values(group)), vsZero: oneSampleTTest(values(group)) };
    const comparisons = groups.includes('candidates')
      ? groups.filter((g) => g !== 'candidates').map((b) => ({ a: 'candidates', b, welch: welchTTest(values('candidates'), values(b)) }))
      : [];
    const entry: LayerSummary['perLayer'][number] = { layer, groups: stats, comparisons };
    if (l > 0) {
      const delta: Record<string, LayerDelta> = {};
      for (const group of groups) {
        const diffs = members(group).map((k) => scores[k][l].m - scores[k][l - 1].m);
        delta[group] = { ...describeSample(diffs), vsZero: oneSampleTTest(diffs) };
      }
      entry.delta = { from: layers[l - 1], groups: delta };
    }
    return entry;
  });
  return { format: LAYERS_FORMAT, layers: [...layers], points: points.length, perLayer };
}

/** The columns of one layer in layers.csv: `<layer>:L_f`, `<layer>:L_g`, `<layer>:m`, `<layer>:se`, `<layer>:count`. */
export function layerColumns(layer: string): string[] {
  return ['L_f', 'L_g', 'm', 'se', 'count'].map((field) => `${layer}:${field}`);
}

/** layers.csv: index, group, label, then one column set per layer (numbers in shortest round-trip form). */
export function layersCsv(points: readonly PointScore[], run: Pick<ScoreRunInfo, 'layers'>): string {
  const layers = run.layers ?? [];
  const scores = layerScores(points, layers);
  const rows = [['index', 'group', 'label', ...layers.flatMap(layerColumns)].map(csvField).join(',')];
  points.forEach((p, k) => {
    rows.push([p.index, csvField(p.group), p.label, ...scores[k].flatMap((s) => [String(s.lossF), String(s.lossG), String(s.m), String(s.se), s.count])].join(','));
  });
  return rows.join('\n') + '\n';
}

/** The LayerMem table of summary.txt: mean m (se) per layer and group, and ΔLayerMem. */
export function layersText(summary: LayerSummary): string {
  const groups = summary.perLayer.length ? Object.keys(summary.perLayer[0].groups) : [];
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '-');
  const header = ['layer', ...groups.flatMap((g) => [`${g} mean m (se)`, `Δ ${g}`])];
  const rows = summary.perLayer.map((entry) => [entry.layer, ...groups.flatMap((g) => [`${f(entry.groups[g].mean)} (${f(entry.groups[g].se)})`, entry.delta ? f(entry.delta.groups[g].mean) : '-'])]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return ['LayerMem: mean m per layer (se over points), Δ = mean change from the previous layer:', line(header), ...rows.map(line)].join('\n') + '\n';
}
