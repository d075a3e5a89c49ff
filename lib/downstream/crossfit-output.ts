/** Writes a cross-fit's manifest and per-point scores (CSV with the score columns the report reads). */
import { writeFilesAtomic } from '../io/atomic';
import type { CrossfitResult } from './crossfit';

/** CSV columns: index, group (fold-j), label, L_f, L_g, m, se, count. */
export function crossfitCsv(result: CrossfitResult, labels?: ArrayLike<number>): string {
  const rows = ['index,group,label,L_f,L_g,m,se,count'];
  for (let i = 0; i < result.m.length; i++) {
    rows.push([i, `fold-${result.fold[i]}`, labels ? labels[i] : -1, result.lossF[i], result.lossG[i], result.m[i], result.se[i], result.count[i]].join(','));
  }
  return rows.join('\n') + '\n';
}

/** crossfit-manifest.json and crossfit-scores.csv in `dir`, all-or-nothing (writeFilesAtomic). Returns the paths. */
export function writeCrossfitOutputs(dir: string, result: CrossfitResult, labels?: ArrayLike<number>): string[] {
  return writeFilesAtomic(dir, { 'crossfit-manifest.json': JSON.stringify(result.manifest) + '\n', 'crossfit-scores.csv': crossfitCsv(result, labels) });
}
