/**
 * The UnitMem section of the report page: per layer the selectivity distribution (a table with every
 * number carrying `data-key`, its path in unitmem.json prefixed by `unitmem.`, and `data-value`, the
 * exact JSON number) and the points the most units of the layer select, as thumbnails with their
 * unit counts and labels.
 */
import { cell } from './html-format';
import { escapeXml as esc } from './svg';
import type { UnitMemFolder, UnitMemThumb } from './unitmem';

export interface UnitMemSectionParts {
  assets: string;
  folder: UnitMemFolder;
  /** Where the folder is, as the page names it. */
  label: string;
  chart: string;
  /** Per layer, the thumbnails; or why there are none. */
  thumbs: UnitMemThumb[][] | { missing: string };
  classNames: readonly string[];
}

function selectivityTable(folder: UnitMemFolder): string {
  const head = '<tr><th>layer</th><th>units</th><th>mean</th><th>median</th><th>5%</th><th>25%</th><th>75%</th><th>95%</th><th>max</th><th>constant units</th></tr>';
  const rows = folder.summary.layers.map((l, i) => {
    const k = (name: string) => `unitmem.layers.${i}.${name}`;
    const s = l.selectivity;
    return `<tr><td>${esc(l.layer)}</td>${cell(k('units'), l.units, 'count')}${cell(k('selectivity.mean'), s.mean)}${cell(k('selectivity.median'), s.median)}${cell(k('selectivity.q05'), s.q05)}${cell(k('selectivity.q25'), s.q25)}${cell(k('selectivity.q75'), s.q75)}${cell(k('selectivity.q95'), s.q95)}${cell(k('selectivity.max'), s.max)}${cell(k('constantUnits'), l.constantUnits, 'count')}</tr>`;
  });
  return `<table id="unitmem-selectivity">${head}${rows.join('')}</table>`;
}

function thumbsHtml(assets: string, layer: number, thumbs: readonly UnitMemThumb[], classNames: readonly string[]): string {
  const figures = thumbs.map((t, rank) => {
    const image = t.file ? `<img src="${esc(`${assets}/${t.file}`)}" alt="point ${t.point}">` : '<div class="noimage">no image</div>';
    const label = t.label === undefined ? '' : ` ${esc(classNames[t.label] ?? t.label)}`;
    const units = `<span data-key="unitmem.layers.${layer}.topPoints.${rank}.units" data-value="${t.units}">${t.units}</span>`;
    return `<figure data-point="${t.point}">${image}<figcaption>#${t.point}${label}<br>${units} unit${t.units === 1 ? '' : 's'}</figcaption></figure>`;
  });
  return `<div class="gallery">${figures.join('')}</div>`;
}

/** The section's HTML (heading, note, chart, table, per-layer thumbnails). */
export function unitMemSection(p: UnitMemSectionParts): string {
  const s = p.folder.summary;
  const parts = [
    '<h2 id="unitmem">Memorization per unit (UnitMem)</h2>',
    `<p class="note">From <code>${esc(p.label)}</code>: ${s.points} points, ${s.run.views} augmented view${s.run.views === 1 ? '' : 's'} each (seed ${esc(s.run.seed)}). ` +
      'Per unit, μ(x) is its activation averaged over the views of point x (a channel\'s spatial mean); selectivity = (μ_max - μ_-max) / (μ_max + μ_-max), where μ_max is the largest μ over the points and μ_-max the mean over the others ' +
      '(Wang et al., "Localizing Memorization in SSL Vision Encoders", NeurIPS 2024). A constant unit selects no point.</p>',
    `<div class="charts"><img src="${esc(`${p.assets}/${p.chart}`)}" alt="selectivity of the units per layer"></div>`,
    selectivityTable(p.folder),
  ];
  if ('missing' in p.thumbs) {
    parts.push(`<p class="note">Images of the selected points left out: ${esc(p.thumbs.missing)}</p>`);
  } else {
    p.thumbs.forEach((thumbs, l) => {
      parts.push(`<h3>${esc(s.layers[l].layer)}: the points most of its ${s.layers[l].units} units select</h3>`, thumbs.length ? thumbsHtml(p.assets, l, thumbs, p.classNames) : '<p class="note">Every unit is constant.</p>');
    });
  }
  return parts.join('\n');
}
