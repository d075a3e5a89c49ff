/**
 * Score outputs: the per-point CSV (lib/score/scores-csv.ts) and JSONL, the summary JSON and a human summary. Numbers are
 * written in JavaScript's shortest round-trip form, so the files are a deterministic function of the
 * values (a merged sharded run gives the same bytes) and parse back to the exact doubles.
 */
import { writeFilesAtomic } from '../io/atomic';
import { layersCsv, layersText, summarizeLayers } from './layers';
import { scoresCsv } from './scores-csv';
import { describeViews, ScoredPoint, ScoreSummary } from './summary';

/** The per-point JSONL: one object per line with the CSV's fields (NaN written as null). */
export function scoresJsonl(points: readonly ScoredPoint[]): string {
  return points
    .map((p) =>
      JSON.stringify({ index: p.index, group: p.group, label: p.label, L_f: p.lossF, L_g: p.lossG, m: p.m, se: p.se, count: p.count, m_range: p.mRange, m_relative: p.mRelative, p: p.p, q: p.q, significant: p.significant, df: p.df ?? p.count - 1 }),
    )
    .join('\n') + (points.length ? '\n' : '');
}

/** The summary as pretty JSON (NaN written as null). */
export function summaryJson(summary: ScoreSummary): string {
  return JSON.stringify(summary, null, 2) + '\n';
}

function fixed(x: number, digits = 4): string {
  if (Number.isNaN(x)) return '-';
  return x.toFixed(digits);
}

function pValue(p: number): string {
  if (Number.isNaN(p)) return '-';
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

/** The human summary printed at the end of a run: per-group table, S_C comparisons, top points. */
export function summaryText(summary: ScoreSummary): string {
  const run = summary.run;
  const lines: string[] = [];
  // fp32 is the default and goes unsaid, so summaries read as before; bf16 always says so.
  const precision = run.precision === 'bf16' ? ', precision bf16 (convolutions and matrix products)' : '';
  lines.push(`SSLMem scores: ${summary.points} points, mode ${run.mode}, metric ${run.metric}, ${describeViews(run)}, seed ${run.seed}${precision}`);
  if (run.design) lines.push(`Design: ${run.design.name}${run.design.name === 'single' ? '' : ` (${run.design.replicates} replicates)`}; se: ${run.design.standardError}`);
  lines.push('');
  const header = ['group', 'n', 'mean m', 'se', 'median', 'std', `signif. (BH ${summary.fdr})`, 'p(mean != 0)'];
  const rows = Object.entries(summary.groups).map(([group, g]) => [group, String(g.count), fixed(g.mean), fixed(g.se), fixed(g.median), fixed(g.std), `${(100 * g.significantFraction).toFixed(1)}%`, pValue(g.vsZero.p)]);
  lines.push(...table(header, rows));
  if (summary.comparisons.length) {
    lines.push('');
    lines.push('One-sided Welch t-tests, mean m(candidates) > mean m(other):');
    const cHeader = ['vs', 'difference', 't', 'df', 'p', "Cohen's d", "Hedges' g"];
    const cRows = summary.comparisons.map((c) => [c.b, fixed(c.welch.difference), fixed(c.welch.t, 2), fixed(c.welch.df, 1), pValue(c.welch.p), fixed(c.effect.cohenD, 3), fixed(c.effect.hedgesG, 3)]);
    lines.push(...table(cHeader, cRows));
  }
  if (summary.topK.length) {
    lines.push('');
    lines.push(`Most memorized: ${summary.topK.slice(0, 5).map((t) => `#${t.index} (${t.group}, ${run.classes?.[t.label] ?? t.label}) m=${fixed(t.m)}`).join('; ')}`);
  }
  return lines.join('\n') + '\n';
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(header), ...rows.map(line)];
}

/**
 * Writes scores.csv, scores.jsonl, summary.json and summary.txt (plus layers.csv and layers.json
 * for a LayerMem run, and any `extra` files, e.g. the manifest) into `dir`, all-or-nothing (see writeFilesAtomic). Returns the paths written.
 */
export function writeScoreOutputs(dir: string, result: { points: readonly ScoredPoint[]; summary: ScoreSummary }, extra: Record<string, string> = {}): string[] {
  const run = result.summary.run;
  // LayerMem runs (run.layers): layers.csv (one column set per layer) and layers.json, and the table in summary.txt.
  const layers = run.layers ? summarizeLayers(result.points, run) : undefined;
  return writeFilesAtomic(dir, {
    ...extra,
    'scores.csv': scoresCsv(result.points),
    'scores.jsonl': scoresJsonl(result.points),
    'summary.json': summaryJson(result.summary),
    'summary.txt': summaryText(result.summary) + (layers ? '\n' + layersText(layers) : ''),
    ...(layers ? { 'layers.csv': layersCsv(result.points, run), 'layers.json': JSON.stringify(layers, null, 2) + '\n' } : {}),
  });
}
