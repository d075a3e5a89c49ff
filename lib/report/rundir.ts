/**
 * Reads a run directory, the report's input. Layout (written by `sslmem run` / `score` / `demo`,
 * `sslmem removal` and the typicality step; see docs/downstream.md):
 *
 *   summary.json      required: the score summary (format sslmem-summary/1)
 *   scores.csv        required: per point index,group,label,L_f,L_g,m,se,count,m_range,m_relative,p,q,significant
 *   manifest.json     optional: the split manifest (dataset name, fingerprint, indices per group)
 *   typicality.json   optional: atypicality per point, Spearman, bins (format sslmem-typicality/1)
 *   removal.json      optional: the removal experiment's summary (format sslmem-removal/1)
 *   layers.json       optional: LayerMem's per-layer group statistics (format sslmem-layers/1)
 *   images.npy        optional: uint8 [N, H, W, C] images the `dataset` indices point into
 *   extra-images.npy  optional: the same for S_E when it comes from another dataset
 *
 * Without images.npy the report loads the manifest's dataset by name (when it is one of the named
 * datasets) and checks its fingerprint, or leaves the gallery out and says why.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, SslmemError } from '../errors';
import type { RemovalSummary } from '../downstream/removal-summary';
import type { LayerSummary } from '../score/layers';
import { parseScoresCsv, ScoreRow } from '../score/scores-csv';

/** The parts of summary.json the report shows (the score helper's ScoreSummary has more). */
export interface ReportSummary {
  format?: string;
  points: number;
  run: {
    mode?: string;
    metric?: string;
    pairing?: string;
    /** Augmented views per point; in files without pairsPerPoint, anchor mode's views counted the clean image too. */
    views?: number;
    pairsPerPoint?: number;
    adaptive?: { targetSe: number; maxViews: number; step: number } | null;
    seed?: number;
    classes?: string[];
    design?: { name: string; replicates: number; standardError: string; offsetFree?: { estimate: number; se: number; t: number; p: number }; betweenReplicates?: Array<{ a: string; b: string; estimate: number; se: number; df: number; p: number }> };
  };
  fdr?: number;
  groups: Record<string, { count: number; mean: number; se: number; median: number; std: number; q05?: number; q95?: number; significantFraction?: number; vsZero?: { p: number } }>;
  comparisons?: Array<{ a: string; b: string; welch: { difference: number; t: number; df: number; p: number }; effect: { cohenD: number; hedgesG?: number } }>;
  perClass?: Array<{ group: string; label: number; className: string; count: number; mean: number; significantFraction?: number }>;
}

export interface TypicalityFile {
  format: 'sslmem-typicality/1';
  k: number;
  classConditional: boolean;
  encoder: string;
  spearman: { rho: number; n: number; p: number };
  bins: Array<{ bin: number; from: number; to: number; count: number; meanAtypicality: number; meanM: number; se: number }>;
  atypicality: number[];
  indices: number[];
  controls?: Array<{ group: string; spearman: { rho: number; n: number; p: number } }>;
}

export interface RunDirectory {
  dir: string;
  summary: ReportSummary;
  scores: ScoreRow[];
  manifest?: { dataset?: { name: string; fingerprint: string; n: number }; extraDataset?: { name: string; fingerprint: string; n: number } | null; [key: string]: unknown };
  typicality?: TypicalityFile;
  removal?: RemovalSummary;
  layers?: LayerSummary;
}

function readJson<T>(file: string, required: boolean): T | undefined {
  if (!fs.existsSync(file)) {
    if (!required) return undefined;
    throw new SslmemError(ErrorCodes.fileNotFound, `Expected ${path.basename(file)} in the run directory but received no file at ${file}`);
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (cause) {
    throw new SslmemError(ErrorCodes.corruptFile, `Expected JSON in ${file} but received text that does not parse (${(cause as Error).message})`, { cause });
  }
}

/** Reads the run directory's files (see the module comment). */
export function readRunDirectory(dir: string): RunDirectory {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new SslmemError(ErrorCodes.fileNotFound, `Expected a run directory for runDir but received ${JSON.stringify(dir)}, which is not a directory`);
  }
  const summary = readJson<ReportSummary>(path.join(dir, 'summary.json'), true) as ReportSummary;
  if (typeof summary !== 'object' || summary === null || typeof summary.groups !== 'object') {
    throw new SslmemError(ErrorCodes.corruptFile, `Expected a score summary with "groups" in ${path.join(dir, 'summary.json')} but received something else`);
  }
  const scoresFile = path.join(dir, 'scores.csv');
  if (!fs.existsSync(scoresFile)) throw new SslmemError(ErrorCodes.fileNotFound, `Expected scores.csv in the run directory but received no file at ${scoresFile}`);
  return {
    dir,
    summary,
    scores: parseScoresCsv(fs.readFileSync(scoresFile, 'utf8'), scoresFile),
    manifest: readJson(path.join(dir, 'manifest.json'), false),
    typicality: readJson(path.join(dir, 'typicality.json'), false),
    removal: readJson(path.join(dir, 'removal.json'), false),
    layers: readJson(path.join(dir, 'layers.json'), false),
  };
}
