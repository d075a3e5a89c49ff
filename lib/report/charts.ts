/**
 * The report's charts, each a complete SVG document built from lib/report/svg.ts: histograms of m
 * per split group, mean m per class, memorization against atypicality, and removal curves.
 */
import type { RemovalMethod, RemovalSummary, RemovalTask } from '../downstream/removal-summary';
import type { LayerSummary } from '../score/layers';
import type { ScoreRow } from '../score/scores-csv';
import type { ReportSummary, TypicalityFile } from './rundir';
import { axes, bars, colorFor, errorBars, extent, frame, legend, line, linearScale, points, svgDocument } from './svg';

/** Split groups in the order the paper discusses them; unknown groups follow. */
export function orderedGroups(names: Iterable<string>): string[] {
  const known = ['candidates', 'independent', 'shared', 'extra'];
  const all = [...new Set(names)];
  return [...known.filter((g) => all.includes(g)), ...all.filter((g) => !known.includes(g)).sort()];
}

/**
 * Overlaid histograms, one per named series, on shared bins; heights are the fraction of the
 * series' values so series of different sizes compare. A dashed line marks 0.
 */
function overlaidHistograms(series: ReadonlyArray<{ name: string; values: ArrayLike<number> }>, labels: { x: string; y: string; title: string }, binCount: number): string {
  const f = frame(640, 320);
  const [lo, hi] = extent(series.flatMap((s) => Array.from(s.values)));
  const width = (hi - lo) / binCount;
  const binned = series.map(({ name, values }) => {
    const counts = new Array<number>(binCount).fill(0);
    for (let k = 0; k < values.length; k++) if (Number.isFinite(values[k])) counts[Math.min(binCount - 1, Math.max(0, Math.floor((values[k] - lo) / width)))]++;
    return { name, fractions: counts.map((c) => c / Math.max(1, values.length)), n: values.length };
  });
  const x = linearScale([lo, hi], [f.left, f.right]);
  const y = linearScale([0, extent(binned.flatMap((s) => s.fractions), [0])[1] * 1.05], [f.bottom, f.top]);
  const body = axes(f, x, y, { xLabel: labels.x, yLabel: labels.y });
  binned.forEach((s, i) => {
    body.push(...bars(x, y, s.fractions.map((v, b) => ({ x0: lo + b * width, x1: lo + (b + 1) * width, value: v, title: `${s.name}: ${(100 * v).toFixed(1)}%` })), colorFor(s.name, i)));
  });
  if (lo <= 0 && hi >= 0) body.push(`<line x1="${x(0).toFixed(2)}" x2="${x(0).toFixed(2)}" y1="${f.top}" y2="${f.bottom}" stroke="#000" stroke-dasharray="3,3"/>`);
  body.push(...legend(f, binned.map((s, i) => ({ label: `${s.name} (n=${s.n})`, color: colorFor(s.name, i) }))));
  return svgDocument(f, labels.title, body);
}

/** Overlaid histograms of m, one per split group, on shared bins (fractions of each group's points). */
export function histogramChart(scores: readonly ScoreRow[], binCount = 30): string {
  const series = orderedGroups(scores.map((s) => s.group)).map((group) => ({ name: group, values: scores.filter((s) => s.group === group).map((s) => s.m) }));
  return overlaidHistograms(series, { x: 'memorization score m = L(g,x) - L(f,x)', y: 'fraction of the group', title: 'Distribution of m per split group' }, binCount);
}

/** UnitMem: overlaid histograms of the units' selectivity, one per layer (fractions of each layer's units). */
export function selectivityChart(layers: readonly string[], selectivity: readonly ArrayLike<number>[], binCount = 30): string {
  const series = layers.map((layer, l) => ({ name: layer, values: selectivity[l] }));
  return overlaidHistograms(series, { x: 'unit selectivity (μ_max - μ_-max) / (μ_max + μ_-max)', y: 'fraction of the layer\'s units', title: 'UnitMem: selectivity of the units per layer' }, binCount);
}

/** Mean m per class, one bar per group side by side. */
export function classBarsChart(scores: readonly ScoreRow[], classNames: readonly string[] = []): string {
  const f = frame(640, 320);
  const groups = orderedGroups(scores.map((s) => s.group));
  const labels = [...new Set(scores.map((s) => s.label))].sort((a, b) => a - b);
  const means = groups.map((group) =>
    labels.map((label) => {
      const members = scores.filter((s) => s.group === group && s.label === label);
      return members.length ? members.reduce((s, p) => s + p.m, 0) / members.length : NaN;
    }),
  );
  const x = linearScale([0, labels.length], [f.left, f.right]);
  const y = linearScale(extent(means.flat(), [0]), [f.bottom, f.top]);
  const body = axes(f, x, y, { xLabel: 'class', yLabel: 'mean m', xTicks: labels.map((label, i) => ({ at: i + 0.5, text: classNames[label] ?? String(label) })) });
  const slot = 0.8 / groups.length;
  groups.forEach((group, g) => {
    const items = labels
      .map((label, i) => ({ x0: i + 0.1 + g * slot, x1: i + 0.1 + (g + 1) * slot, value: means[g][i], title: `${group}, ${classNames[label] ?? label}: ${means[g][i].toFixed(4)}` }))
      .filter((b) => Number.isFinite(b.value));
    body.push(...bars(x, y, items, colorFor(group, g)));
  });
  body.push(...legend(f, groups.map((group, g) => ({ label: group, color: colorFor(group, g) }))));
  return svgDocument(f, 'Mean m per class and split group', body);
}

/** Mean m (with standard error) per atypicality bin. */
export function typicalityChart(t: TypicalityFile): string {
  const f = frame(640, 320);
  const x = linearScale(extent(t.bins.flatMap((b) => [b.from, b.to])), [f.left, f.right]);
  const y = linearScale(extent(t.bins.flatMap((b) => [b.meanM - (b.se || 0), b.meanM + (b.se || 0)]), [0]), [f.bottom, f.top]);
  const body = axes(f, x, y, { xLabel: `atypicality: mean cosine distance to the ${t.k} nearest neighbours (${t.encoder})`, yLabel: 'mean m per bin (± se)' });
  body.push(line(x, y, t.bins.map((b) => [b.meanAtypicality, b.meanM]), '#d62728'));
  body.push(...errorBars(x, y, t.bins.map((b) => ({ x: b.meanAtypicality, value: b.meanM, err: b.se })), '#d62728'));
  body.push(...points(x, y, t.bins.map((b) => ({ x: b.meanAtypicality, y: b.meanM, title: `bin ${b.bin + 1}: n=${b.count}, mean m=${b.meanM.toFixed(4)}` })), '#d62728'));
  return svgDocument(f, `Memorization vs atypicality (Spearman rho = ${t.spearman.rho.toFixed(3)})`, body);
}

/**
 * LayerMem: mean m per split group at each layer (input to output), with error bars of one
 * standard error over the group's points; a dashed line at m = 0.
 */
export function layerChart(summary: LayerSummary): string {
  const f = frame(Math.max(640, 60 * summary.layers.length + 120), 340);
  const groups = orderedGroups(summary.perLayer.flatMap((entry) => Object.keys(entry.groups)));
  const x = linearScale([-0.5, summary.layers.length - 0.5], [f.left, f.right]);
  const values = summary.perLayer.flatMap((entry) => Object.values(entry.groups).flatMap((g) => [g.mean - (Number.isFinite(g.se) ? g.se : 0), g.mean + (Number.isFinite(g.se) ? g.se : 0)]));
  const y = linearScale(extent(values, [0]), [f.bottom, f.top]);
  const body = axes(f, x, y, { xLabel: 'layer (input to output)', yLabel: 'mean m (± se)', xTicks: summary.layers.map((layer, i) => ({ at: i, text: layer })) });
  body.push(`<line x1="${f.left}" x2="${f.right}" y1="${y(0).toFixed(2)}" y2="${y(0).toFixed(2)}" stroke="#000" stroke-dasharray="3,3"/>`);
  groups.forEach((group, i) => {
    const color = colorFor(group, i);
    const own = summary.perLayer.map((entry, l) => ({ l, stats: entry.groups[group] })).filter((e) => e.stats);
    body.push(line(x, y, own.map((e) => [e.l, e.stats.mean]), color));
    body.push(...errorBars(x, y, own.map((e) => ({ x: e.l, value: e.stats.mean, err: e.stats.se })), color));
    body.push(...points(x, y, own.map((e) => ({ x: e.l, y: e.stats.mean, title: `${group}, ${summary.layers[e.l]}: mean m ${e.stats.mean.toFixed(4)} ± ${e.stats.se.toFixed(4)} (n=${e.stats.count})` })), color));
  });
  body.push(...legend(f, groups.map((group, i) => ({ label: group, color: colorFor(group, i) }))));
  return svgDocument(f, 'LayerMem: mean m per layer and split group', body);
}

/** Accuracy against the number removed, one line per arm (± std over seeds). */
export function removalChart(summary: RemovalSummary, task: RemovalTask, method: RemovalMethod): string {
  const f = frame(560, 300);
  const cells = summary.cells.filter((c) => c.task === task && c.method === method);
  const x = linearScale(extent(cells.map((c) => c.n), [0]), [f.left, f.right]);
  const y = linearScale(extent(cells.flatMap((c) => [c.mean - (Number.isFinite(c.std) ? c.std : 0), c.mean + (Number.isFinite(c.std) ? c.std : 0)])), [f.bottom, f.top]);
  const body = axes(f, x, y, { xLabel: 'points removed n', yLabel: 'accuracy', xTicks: summary.sizes });
  summary.arms.forEach((arm, i) => {
    const own = cells.filter((c) => c.arm === arm).sort((a, b) => a.n - b.n);
    const color = colorFor(arm, i);
    body.push(line(x, y, own.map((c) => [c.n, c.mean]), color, arm === 'random' ? '5,3' : ''));
    body.push(...errorBars(x, y, own.map((c) => ({ x: c.n, value: c.mean, err: c.std })), color));
    body.push(...points(x, y, own.map((c) => ({ x: c.n, y: c.mean, title: `${arm}, n=${c.n}: ${c.mean.toFixed(4)} (${c.values.length} seeds)` })), color));
  });
  const names: Record<string, string> = { top: 'most memorized removed', random: 'random removed', bottom: 'least memorized removed' };
  body.push(...legend(f, summary.arms.map((arm, i) => ({ label: names[arm] ?? arm, color: colorFor(arm, i) }))));
  return svgDocument(f, `${task}, ${method === 'knn' ? 'kNN' : 'linear probe'}`, body);
}

/**
 * Every removal chart the summary has data for, by file name (`removal-<task>-<method>.svg`), in
 * display order: drawn here once for the report and for `sslmem removal`'s output folder.
 */
export function removalCharts(summary: RemovalSummary): Record<string, string> {
  const charts: Record<string, string> = {};
  for (const task of ['same-domain', 'cross-domain'] as const) {
    for (const method of ['linear-probe', 'knn'] as const) {
      if (summary.cells.some((c) => c.task === task && c.method === method)) charts[`removal-${task}-${method}.svg`] = removalChart(summary, task, method);
    }
  }
  return charts;
}

/** Summary rows the report's per-group table shows, in display order. */
export function groupRows(summary: ReportSummary): Array<[string, ReportSummary['groups'][string]]> {
  return orderedGroups(Object.keys(summary.groups)).map((g) => [g, summary.groups[g]]);
}
