/**
 * scores.csv, both ways: the writer (`sslmem score`/`run`/`merge`) and the parser (the report,
 * `sslmem removal --scores`) side by side, so a column added to one is seen in the other.
 * Numbers are written in JavaScript's shortest round-trip form, so the file is a deterministic
 * function of the values and parses back to the exact doubles.
 */
import { ErrorCodes, SslmemError } from '../errors';
import type { ScoredPoint } from './summary';

/**
 * CSV columns, in order. L_f, L_g: alignment losses; m = L_g - L_f; se its standard error from
 * `count` replicates; df the degrees of freedom of the point's test (summary.json's run.design says
 * which design made the scores and how se was computed).
 */
export const CSV_COLUMNS = ['index', 'group', 'label', 'L_f', 'L_g', 'm', 'se', 'count', 'm_range', 'm_relative', 'p', 'q', 'significant', 'df'] as const;

function num(x: number): string {
  return String(x); // "NaN", "Infinity" or the shortest round-trip decimal
}

/** The per-point CSV (header + one row per point, "\n" line ends). */
export function scoresCsv(points: readonly ScoredPoint[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const p of points) {
    rows.push([p.index, csvField(p.group), p.label, num(p.lossF), num(p.lossG), num(p.m), num(p.se), p.count, num(p.mRange), num(p.mRelative), num(p.p), num(p.q), p.significant ? 1 : 0, num(p.df ?? p.count - 1)].join(','));
  }
  return rows.join('\n') + '\n';
}

/** A CSV field: quoted (with doubled quotes) when it holds a quote, comma or newline. */
export function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row of scores.csv. */
export interface ScoreRow {
  index: number;
  group: string;
  label: number;
  L_f: number;
  L_g: number;
  m: number;
  se: number;
  count: number;
  m_range: number;
  m_relative: number;
  p: number;
  significant: boolean;
}

/** Splits one CSV line, honouring double-quoted fields with doubled quotes. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

const NUMERIC = ['L_f', 'L_g', 'm', 'se', 'm_range', 'm_relative', 'p'] as const;

/** Parses scores.csv by its header (columns may come in any order; unknown ones are ignored). */
export function parseScoresCsv(text: string, file = 'scores.csv'): ScoreRow[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length === 0) throw new SslmemError(ErrorCodes.corruptFile, `Expected a header line in ${file} but received an empty file`);
  const header = splitCsvLine(lines[0]);
  const col = (name: string) => header.indexOf(name);
  for (const required of ['index', 'group', 'label', 'm']) {
    if (col(required) < 0) throw new SslmemError(ErrorCodes.corruptFile, `Expected a "${required}" column in ${file} but received columns ${header.join(',')}`);
  }
  return lines.slice(1).map((line, i) => {
    const cells = splitCsvLine(line);
    if (cells.length !== header.length) {
      throw new SslmemError(ErrorCodes.corruptFile, `Expected ${header.length} fields on line ${i + 2} of ${file} but received ${cells.length}`);
    }
    const num = (name: string) => (col(name) < 0 ? NaN : Number(cells[col(name)]));
    const row = { index: num('index'), group: cells[col('group')], label: num('label'), count: num('count'), significant: col('significant') >= 0 && cells[col('significant')] === '1' } as ScoreRow;
    for (const name of NUMERIC) row[name] = num(name);
    if (!Number.isInteger(row.index) || !Number.isInteger(row.label) || Number.isNaN(row.m)) {
      throw new SslmemError(ErrorCodes.corruptFile, `Expected integer index and label and a numeric m on line ${i + 2} of ${file} but received "${line}"`);
    }
    return row;
  });
}
