/**
 * How the report shows a number: its display form, and a table cell that carries the exact value
 * (`data-value`) under its path in the source JSON (`data-key`), so a reader or a test can check
 * the page against the files.
 */
import { escapeXml as esc } from './svg';

/** Display form of a statistic: 4 decimals, or 2 significant digits in exponent form when tiny. */
export function formatNumber(value: number | null | undefined, kind: 'value' | 'p' | 'percent' | 'count' = 'value'): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (kind === 'count') return String(value);
  if (kind === 'percent') return `${(100 * value).toFixed(1)}%`;
  if (kind === 'p') return value !== 0 && value < 1e-4 ? value.toExponential(1) : value.toFixed(4);
  return value !== 0 && Math.abs(value) < 1e-4 ? value.toExponential(2) : value.toFixed(4);
}

/** A table cell showing `value` in its display form, with its JSON path and exact value. */
export function cell(key: string, value: number | undefined, kind: Parameters<typeof formatNumber>[1] = 'value'): string {
  const raw = value === undefined || value === null ? 'null' : String(value);
  return `<td data-key="${esc(key)}" data-value="${esc(raw)}">${esc(formatNumber(value, kind))}</td>`;
}
