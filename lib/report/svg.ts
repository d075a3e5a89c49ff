/**
 * A small SVG plotting kit for the report: linear scales, nice ticks, axes, bars, lines, points and
 * error bars. Every text node and attribute value goes through {@link escapeXml}. Output is plain SVG
 * 1.1 text with no scripts or external references, so the report opens offline.
 */

/** Escapes the five XML special characters. */
export function escapeXml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A linear map from a data domain to pixel range (a zero-width domain maps to the range's middle). */
export interface Scale {
  (value: number): number;
  domain: [number, number];
  range: [number, number];
}

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const f = ((value: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((value - d0) / (d1 - d0)) * (r1 - r0))) as Scale;
  f.domain = [d0, d1];
  f.range = [r0, r1];
  return f;
}

/** About `count` round tick values (1, 2 or 5 times a power of ten apart) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) as number;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** [min, max] of the finite values, widened to a unit interval around a single value; [0, 1] if none. */
export function extent(values: Iterable<number>, include: number[] = []): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of [...values, ...include]) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/** Tick label text: few significant digits, no trailing zeros. */
export function tickText(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e4 || abs < 1e-3) return value.toExponential(1);
  return String(Number(value.toPrecision(3)));
}

export interface Frame {
  width: number;
  height: number;
  /** Plot area inside the margins. */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function frame(width = 560, height = 320, margin = { left: 64, right: 16, top: 28, bottom: 48 }): Frame {
  return { width, height, left: margin.left, right: width - margin.right, top: margin.top, bottom: height - margin.bottom };
}

/** The `<svg>` element around a body, with a title for screen readers and a text style. */
export function svgDocument(f: Frame, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    '<style>text{font-family:sans-serif;font-size:11px;fill:#222}.t{font-size:13px;font-weight:bold}</style>',
    `<rect width="${f.width}" height="${f.height}" fill="#fff"/>`,
    `<text class="t" x="${f.left}" y="16">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

const r = (v: number) => Number(v.toFixed(2));

/** Left and bottom axes with ticks, grid lines and labels. `xTicks` may carry text labels (bar charts). */
export function axes(f: Frame, x: Scale, y: Scale, options: { xLabel: string; yLabel: string; xTicks?: Array<number | { at: number; text: string }>; yTicks?: number[] }): string[] {
  const out: string[] = [];
  const yTicks = options.yTicks ?? niceTicks(y.domain[0], y.domain[1]);
  for (const t of yTicks) {
    const py = r(y(t));
    out.push(`<line x1="${f.left}" x2="${f.right}" y1="${py}" y2="${py}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${f.left - 6}" y="${py + 4}" text-anchor="end">${escapeXml(tickText(t))}</text>`);
  }
  const xTicks = options.xTicks ?? niceTicks(x.domain[0], x.domain[1]);
  for (const t of xTicks) {
    const at = typeof t === 'number' ? t : t.at;
    const text = typeof t === 'number' ? tickText(t) : t.text;
    const px = r(x(at));
    out.push(`<line x1="${px}" x2="${px}" y1="${f.bottom}" y2="${f.bottom + 4}" stroke="#444"/>`);
    out.push(`<text x="${px}" y="${f.bottom + 16}" text-anchor="middle">${escapeXml(text)}</text>`);
  }
  out.push(`<line x1="${f.left}" x2="${f.right}" y1="${f.bottom}" y2="${f.bottom}" stroke="#444"/>`);
  out.push(`<line x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${f.bottom}" stroke="#444"/>`);
  out.push(`<text x="${(f.left + f.right) / 2}" y="${f.height - 8}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  out.push(`<text x="14" y="${(f.top + f.bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(f.top + f.bottom) / 2})">${escapeXml(options.yLabel)}</text>`);
  return out;
}

/** Filled rectangles from a baseline value to each bar's value. */
export function bars(x: Scale, y: Scale, items: Array<{ x0: number; x1: number; value: number; title?: string }>, fill: string, base = 0): string[] {
  return items.map((b) => {
    const top = Math.min(y(b.value), y(base));
    const height = Math.abs(y(b.value) - y(base));
    const title = b.title ? `<title>${escapeXml(b.title)}</title>` : '';
    return `<rect x="${r(x(b.x0))}" y="${r(top)}" width="${r(Math.max(0, x(b.x1) - x(b.x0)))}" height="${r(height)}" fill="${escapeXml(fill)}" fill-opacity="0.75">${title}</rect>`;
  });
}

/** A polyline through the points (non-finite points are skipped). */
export function line(x: Scale, y: Scale, pts: Array<[number, number]>, stroke: string, dash = ''): string {
  const d = pts.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b)).map(([a, b]) => `${r(x(a))},${r(y(b))}`);
  return `<polyline points="${d.join(' ')}" fill="none" stroke="${escapeXml(stroke)}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
}

/** Circles at the points, each with an optional hover title. */
export function points(x: Scale, y: Scale, pts: Array<{ x: number; y: number; title?: string }>, fill: string, radius = 3.5): string[] {
  return pts
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .map((p) => `<circle cx="${r(x(p.x))}" cy="${r(y(p.y))}" r="${radius}" fill="${escapeXml(fill)}">${p.title ? `<title>${escapeXml(p.title)}</title>` : ''}</circle>`);
}

/** Vertical error bars from value - err to value + err. */
export function errorBars(x: Scale, y: Scale, items: Array<{ x: number; value: number; err: number }>, stroke: string): string[] {
  return items
    .filter((e) => Number.isFinite(e.value) && Number.isFinite(e.err))
    .map((e) => {
      const px = r(x(e.x));
      return `<path d="M${px - 4},${r(y(e.value - e.err))}H${px + 4}M${px},${r(y(e.value - e.err))}V${r(y(e.value + e.err))}M${px - 4},${r(y(e.value + e.err))}H${px + 4}" stroke="${escapeXml(stroke)}" fill="none"/>`;
    });
}

/** A colour key in the top-right corner of the plot area. */
export function legend(f: Frame, entries: Array<{ label: string; color: string }>): string[] {
  return entries.flatMap((e, i) => {
    const y = f.top + 8 + i * 16;
    return [
      `<rect x="${f.right - 150}" y="${y - 9}" width="10" height="10" fill="${escapeXml(e.color)}"/>`,
      `<text x="${f.right - 134}" y="${y}">${escapeXml(e.label)}</text>`,
    ];
  });
}

/** Colour per split group / arm, stable across charts. */
export const PALETTE: Record<string, string> = {
  candidates: '#d62728',
  independent: '#1f77b4',
  shared: '#2ca02c',
  extra: '#9467bd',
  top: '#d62728',
  random: '#7f7f7f',
  bottom: '#1f77b4',
};

export function colorFor(name: string, i: number): string {
  return PALETTE[name] ?? ['#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22'][i % 5];
}
