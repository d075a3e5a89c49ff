/**
 * The report page: one HTML file with inline CSS and no network references. Every number taken from
 * summary.json is shown with a `data-key` (its path in the JSON) and `data-value` (the exact JSON
 * number) so a reader, or a test, can check the page against the summary. A small inline script
 * marks each image `data-loaded="true"` once it has decoded (naturalWidth > 0).
 */
import type { RemovalSummary } from '../downstream/removal-summary';
import { describeViews } from '../score/summary';
import type { GalleryItem } from './gallery';
import type { ReportSummary, TypicalityFile } from './rundir';
import type { LayerSummary } from '../score/layers';
import { groupRows, orderedGroups } from './charts';
import { escapeXml as esc } from './svg';
import { cell, formatNumber } from './html-format';

export { formatNumber } from './html-format';

export interface PageParts {
  title: string;
  runDir: string;
  summary: ReportSummary;
  assets: string;
  charts: { histogram: string; classes: string; typicality?: string; layers?: string; removal: string[] };
  gallery: { most: GalleryItem[]; least: GalleryItem[]; population: string } | { missing: string };
  typicality?: TypicalityFile;
  removal?: RemovalSummary;
  layers?: LayerSummary;
  /** The UnitMem section's HTML (lib/report/unitmem-html.ts), when a UnitMem folder is shown. */
  unitmem?: string;
  classNames: string[];
}

const CSS = `body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}
th{background:#f5f5f5}td:first-child,th:first-child{text-align:left}.note{color:#666;font-size:13px}
.gallery{display:flex;flex-wrap:wrap;gap:10px}.gallery figure{margin:0;width:110px;font-size:11px;text-align:center}
.gallery img{image-rendering:pixelated;width:84px;height:84px;border:1px solid #ccc}.charts img{margin:4px}
h3{font-size:15px;margin:16px 0 6px}.noimage{width:84px;height:84px;border:1px dashed #ccc;line-height:84px;color:#999}`;

const SCRIPT = `window.addEventListener('load',function(){document.querySelectorAll('img').forEach(function(img){img.setAttribute('data-loaded',String(img.complete&&img.naturalWidth>0));});document.body.setAttribute('data-ready','true');});`;

function groupsTable(summary: ReportSummary): string {
  const head = '<tr><th>group</th><th>n</th><th>mean m</th><th>se</th><th>median</th><th>std</th><th>5%</th><th>95%</th><th>significant</th><th>p (mean ≠ 0)</th></tr>';
  const rows = groupRows(summary).map(([g, s]) => {
    const k = (name: string) => `groups.${g}.${name}`;
    return `<tr><td>${esc(g)}</td>${cell(k('count'), s.count, 'count')}${cell(k('mean'), s.mean)}${cell(k('se'), s.se)}${cell(k('median'), s.median)}${cell(k('std'), s.std)}${cell(k('q05'), s.q05)}${cell(k('q95'), s.q95)}${cell(k('significantFraction'), s.significantFraction, 'percent')}${cell(k('vsZero.p'), s.vsZero?.p, 'p')}</tr>`;
  });
  return `<table id="groups">${head}${rows.join('')}</table>`;
}

function comparisonsTable(summary: ReportSummary): string {
  if (!summary.comparisons?.length) return '<p class="note">No S_C comparisons in this run.</p>';
  const head = "<tr><th>S_C vs</th><th>difference</th><th>t</th><th>df</th><th>p (one-sided)</th><th>Cohen's d</th></tr>";
  const rows = summary.comparisons.map((c, i) => {
    const k = (name: string) => `comparisons.${i}.${name}`;
    return `<tr><td>${esc(c.b)}</td>${cell(k('welch.difference'), c.welch.difference)}${cell(k('welch.t'), c.welch.t)}${cell(k('welch.df'), c.welch.df)}${cell(k('welch.p'), c.welch.p, 'p')}${cell(k('effect.cohenD'), c.effect.cohenD)}</tr>`;
  });
  return `<table id="comparisons">${head}${rows.join('')}</table>`;
}

function galleryHtml(assets: string, items: GalleryItem[], classNames: string[]): string {
  return `<div class="gallery">${items
    .map(({ row, file }) => `<figure><img src="${esc(`${assets}/${file}`)}" alt="point ${row.index}"><figcaption>#${row.index} ${esc(classNames[row.label] ?? row.label)}<br>${esc(row.group)}<br>m = ${esc(formatNumber(row.m))}${Number.isFinite(row.se) ? ` ± ${esc(formatNumber(row.se))}` : ''}</figcaption></figure>`)
    .join('')}</div>`;
}

function removalTable(removal: RemovalSummary): string {
  const head = '<tr><th>arm</th><th>n removed</th><th>task</th><th>method</th><th>mean accuracy</th><th>std</th><th>seeds</th></tr>';
  const rows = removal.cells.map((c, i) => `<tr><td>${esc(c.arm)}</td><td>${c.n}</td><td>${esc(c.task)}</td><td>${esc(c.method)}</td>${cell(`removal.cells.${i}.mean`, c.mean)}${cell(`removal.cells.${i}.std`, c.std)}<td>${c.values.length}</td></tr>`);
  return `<table id="removal">${head}${rows.join('')}</table>`;
}

function layersTable(layers: LayerSummary): string {
  const groups = orderedGroups(layers.perLayer.flatMap((entry) => Object.keys(entry.groups)));
  const head = `<tr><th>layer</th>${groups.map((g) => `<th>${esc(g)} mean m</th><th>se</th><th>Δ</th>`).join('')}</tr>`;
  const rows = layers.perLayer.map((entry, l) => {
    const cells = groups.map((g) => {
      const k = (name: string) => `layers.perLayer.${l}.${name}`;
      const s = entry.groups[g];
      return `${cell(k(`groups.${g}.mean`), s?.mean)}${cell(k(`groups.${g}.se`), s?.se)}${cell(k(`delta.groups.${g}.mean`), entry.delta?.groups[g]?.mean)}`;
    });
    return `<tr><td>${esc(entry.layer)}</td>${cells.join('')}</tr>`;
  });
  return `<table id="layers">${head}${rows.join('')}</table>`;
}

/** The experimental design (docs/scoring.md, "Designs"), with its design-level estimates. */
function designNote(design: ReportSummary['run']['design']): string {
  if (!design) return '<p class="note">Design: one pair of encoders (not recorded).</p>';
  const lines = [`Design: <b>${esc(design.name)}</b>${design.name === 'single' ? '' : `, ${design.replicates} replicates`}. Standard error of a point's m: ${esc(design.standardError)}.`];
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '-');
  if (design.offsetFree) {
    const e = design.offsetFree;
    lines.push(`Offset-free estimate (mean memorization of S_C and S_I over the pair and its mirror): ${f(e.estimate)} (se ${f(e.se)}, t ${e.t.toFixed(2)}, one-sided p ${e.p.toExponential(1)}).`);
  }
  for (const c of design.betweenReplicates ?? []) {
    lines.push(`Across replicates: m(${esc(c.a)}) - m(${esc(c.b)}) = ${f(c.estimate)} (se ${f(c.se)}, ${c.df} df, one-sided p ${c.p.toExponential(1)}).`);
  }
  return `<p class="note" id="design">${lines.join('<br>')}</p>`;
}

/** The complete page. */
export function reportHtml(p: PageParts): string {
  const run = p.summary.run ?? {};
  const img = (file: string, alt: string) => `<img src="${esc(`${p.assets}/${file}`)}" alt="${esc(alt)}">`;
  const sections: string[] = [];
  sections.push(`<h1>${esc(p.title)}</h1>`);
  sections.push(
    `<p class="note">Run directory: <code>${esc(p.runDir)}</code>. ${p.summary.points} points; mode ${esc(run.mode ?? '?')}, metric ${esc(run.metric ?? '?')}, ${esc(describeViews(run))}, seed ${esc(run.seed ?? '?')}. ` +
      'm(x) = L(g,x) - L(f,x): the alignment loss of an encoder g that did not train on x minus that of f that did (Wang et al., ICLR 2024). Expect m &gt; 0 on candidates (S_C), m &lt; 0 on independent points (S_I), m ≈ 0 on shared (S_S) and extra (S_E) points.</p>',
  );
  sections.push(designNote(run.design));
  sections.push('<h2>Summary statistics</h2>', groupsTable(p.summary), comparisonsTable(p.summary));
  sections.push('<h2>Distribution of m</h2>', `<div class="charts">${img(p.charts.histogram, 'histogram of m per split group')}</div>`);
  if ('missing' in p.gallery) {
    sections.push('<h2>Most and least memorized</h2>', `<p class="note">Gallery left out: ${esc(p.gallery.missing)}</p>`);
  } else {
    sections.push(`<h2>Most memorized (${esc(p.gallery.population)})</h2>`, galleryHtml(p.assets, p.gallery.most, p.classNames));
    sections.push(`<h2>Least memorized (${esc(p.gallery.population)})</h2>`, galleryHtml(p.assets, p.gallery.least, p.classNames));
  }
  sections.push('<h2>Per class</h2>', `<div class="charts">${img(p.charts.classes, 'mean m per class')}</div>`);
  if (p.typicality && p.charts.typicality) {
    const t = p.typicality;
    sections.push(
      '<h2>Memorization and atypicality</h2>',
      `<p class="note">Atypicality: mean cosine distance to the ${t.k} nearest neighbours${t.classConditional ? ' of the same class' : ''} in the representation of ${esc(t.encoder)}. ` +
        `Spearman rho = <span data-key="typicality.spearman.rho" data-value="${esc(String(t.spearman.rho))}">${esc(formatNumber(t.spearman.rho))}</span> over ${t.spearman.n} points (p = ${esc(formatNumber(t.spearman.p, 'p'))}).` +
        (t.controls?.length
          ? ' Controls, the same correlation within each other split group on its own: ' +
            t.controls
              .map((c, i) => `${esc(c.group)} rho = <span data-key="typicality.controls.${i}.spearman.rho" data-value="${esc(String(c.spearman.rho))}">${esc(formatNumber(c.spearman.rho))}</span> (n = ${c.spearman.n})`)
              .join(', ') +
            '. Memorization of atypical points shows as a correlation on the candidates above the controls\'; alike values mean the two encoders simply differ more on atypical images.'
          : '') +
        '</p>',
      `<div class="charts">${img(p.charts.typicality, 'mean m per atypicality bin')}</div>`,
    );
  }
  if (p.layers && p.charts.layers) {
    sections.push(
      '<h2>Memorization per layer (LayerMem)</h2>',
      '<p class="note">The same score at each layer\'s output, flattened (Wang et al., "Localizing Memorization in SSL Vision Encoders", NeurIPS 2024): the same views through f and g, read from one forward pass. Δ: mean change from the previous layer over the same points.</p>',
      `<div class="charts">${img(p.charts.layers, 'mean m per layer and split group')}</div>`,
      layersTable(p.layers),
    );
  }
  if (p.unitmem) sections.push(p.unitmem);
  if (p.removal) {
    sections.push(
      '<h2>Removal experiment</h2>',
      '<p class="note">Encoders retrained without the n most memorized, n random or n least memorized training points; accuracy of a linear probe and of a weighted kNN (k=200, T=0.1) on frozen features, mean ± std over seeds.</p>',
      `<div class="charts">${p.charts.removal.map((file) => img(file, 'removal curve')).join('')}</div>`,
      removalTable(p.removal),
    );
  }
  return pageHtml(p.title, sections);
}

/** A complete page of the given sections, under the title as its first heading (a UnitMem folder's report). */
export function sectionsPage(title: string, sections: readonly string[]): string {
  return pageHtml(title, [`<h1>${esc(title)}</h1>`, ...sections]);
}

function pageHtml(title: string, sections: readonly string[]): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style><script>${SCRIPT}</script></head>
<body>
${sections.join('\n')}
</body></html>
`;
}
