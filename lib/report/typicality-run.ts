/**
 * Typicality for a scored run directory: embeds the scored points with an independent encoder,
 * relates their atypicality to m (lib/downstream/typicality.ts) and writes `typicality.json` for
 * the report. It lives in report/ because it reads the run directory and its images the way the
 * report does; downstream/ keeps the computation and never imports report/.
 */
import * as path from 'node:path';
import { SslmemError, ErrorCodes } from '../errors';
import type { EmbeddingEncoder } from '../eval/evaluate';
import { gatherRowImages } from './gallery';
import { writeFileAtomic } from '../io/atomic';
import { resolveRunImages } from './images';
import { readRunDirectory } from './rundir';
import type { ScoreRow } from '../score/scores-csv';
import { typicality, TypicalityControl, typicalityJson, TypicalityResult } from '../downstream/typicality';

export interface RunTypicalityOptions {
  encoder: EmbeddingEncoder;
  encoderName: string;
  k?: number;
  classConditional?: boolean;
  /** Only these split groups (default: every scored point). */
  groups?: string[];
  /**
   * Groups whose own correlation is reported beside it as controls (each computed within that
   * group alone). Atypical points can have larger m under any pair of encoders; a memorization
   * effect shows as a correlation on S_C above the one on S_I, S_S and S_E.
   */
  controlGroups?: string[];
}

/** Computes typicality over the run's scored points and writes `<runDir>/typicality.json`. */
export async function writeRunTypicality(runDir: string, options: RunTypicalityOptions): Promise<TypicalityResult> {
  const run = readRunDirectory(runDir);
  const rows = options.groups ? run.scores.filter((r) => options.groups!.includes(r.group)) : run.scores;
  const source = await resolveRunImages(run);
  if ('missing' in source) throw new SslmemError(ErrorCodes.fileNotFound, `Expected the scored images for typicality but received none: ${source.missing}`);
  const over = (subset: ScoreRow[]) =>
    typicality({
      encoder: options.encoder,
      encoderName: options.encoderName,
      images: gatherRowImages(subset, source),
      m: subset.map((r) => r.m),
      labels: Int32Array.from(subset, (r) => r.label),
      k: options.k,
      classConditional: options.classConditional,
    });
  const result = await over(rows);
  const controls: TypicalityControl[] = [];
  for (const group of options.controlGroups ?? []) {
    const subset = run.scores.filter((r) => r.group === group);
    // Spearman needs a few points; a group this small says nothing as a control.
    if (subset.length >= 3) controls.push({ group, spearman: (await over(subset)).spearman });
  }
  if (controls.length > 0) result.controls = controls;
  writeFileAtomic(path.join(run.dir, 'typicality.json'), typicalityJson(result, rows.map((r) => r.index)));
  return result;
}
