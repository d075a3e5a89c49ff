/**
 * Cross-fitted memorization scores for a whole training set (docs/downstream.md):
 *
 *   folds F_0..F_{k-1} of the training set D (seeded); f trained on all of D; g_j trained on
 *   D \ F_j; every x in F_j scored with m(x) = L(g_j, x) - L(f, x).
 *
 * Each point is scored by an f that saw it and a g_j that never did, so every point of D gets a
 * score from k + 1 trainings (instead of one pair of trainings per S_C as in the paper). Relation
 * to the paper's design: F_j plays S_C, D \ F_j plays S_S, and there is no S_I: g_j trains on
 * (k-1)/k of the data while f trains on all of it, so L(g_j, .) also carries a small
 * "less training data" effect that shifts every m up by about the same amount; ranks within the
 * set (what the removal experiment uses) are unaffected by such a common shift.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDirectory } from '../io/atomic';
import { outOfRange } from '../errors';
import type { Uint8Tensor } from '../tensor';
import { assertInteger, assertObject } from '../validate';
import { gatherImages } from '../data/subset';
import { makeFolds, complement } from './folds';
import type { ExperimentHooks, PointScores, TrainedEncoder } from './hooks';

export const CROSSFIT_FORMAT = 'sslmem-crossfit/1';

export interface CrossfitOptions {
  /** The training set D, uint8 NHWC. */
  images: Uint8Tensor;
  /** Folds k (>= 2). Default 2. */
  folds?: number;
  /** Seed of the folds; the trainings use seed + 1 + encoder number, scoring uses `seed`. Default 0. */
  seed?: number;
  hooks: ExperimentHooks;
  /** Identifies D in the manifest (name, fingerprint). */
  dataset?: { name: string; fingerprint?: string };
  /** Directory to save the encoders into (f.pt, g_0.pt, ...) and to record in the manifest. */
  saveEncoders?: string;
  onProgress?: (event: { stage: string; done: number; total: number }) => void;
  signal?: AbortSignal;
}

export interface CrossfitEncoderRecord {
  name: string;
  seed: number;
  /** The fold this encoder did not see (null for f). */
  excludedFold: number | null;
  /** Dataset indices it trained on, ascending. */
  trainedOn: number[];
  file?: string;
}

export interface CrossfitManifest {
  format: typeof CROSSFIT_FORMAT;
  seed: number;
  k: number;
  dataset: { name: string; fingerprint?: string; n: number };
  folds: number[][];
  encoders: CrossfitEncoderRecord[];
  /** Which (f, g) pair scored each fold. */
  scoring: Array<{ fold: number; f: string; g: string }>;
}

export interface CrossfitResult extends PointScores {
  /** Fold of each point. */
  fold: Int32Array;
  manifest: CrossfitManifest;
}

/** Trains f and the k g_j, scores every point of D with (f, g_j) for its fold j. */
export async function crossfitScores(options: CrossfitOptions): Promise<CrossfitResult> {
  assertObject('options', options);
  const k = options.folds ?? 2;
  const seed = options.seed ?? 0;
  const n = options.images.shape[0];
  assertInteger('options.folds', k, { min: 2 });
  if (k > n) throw outOfRange('options.folds', `at most the ${n} training points`, k);
  const folds = makeFolds(n, k, seed);
  const total = 2 * k + 1;
  let done = 0;
  const progress = (stage: string) => options.onProgress?.({ stage, done: ++done, total });
  const encoders: CrossfitEncoderRecord[] = [];
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const trainOne = async (name: string, indices: Int32Array, encoderSeed: number, excludedFold: number | null): Promise<TrainedEncoder> => {
    options.signal?.throwIfAborted();
    const encoder = await options.hooks.trainEncoder({ images: gatherImages(options.images, indices), indices, seed: encoderSeed, name, signal: options.signal });
    const record: CrossfitEncoderRecord = { name, seed: encoderSeed, excludedFold, trainedOn: Array.from(indices) };
    if (options.saveEncoders && encoder.save) {
      makeDirectory(options.saveEncoders);
      record.file = path.join(options.saveEncoders, `${name}.pt`);
      await encoder.save(record.file);
    }
    encoders.push(record);
    progress(`trained ${name}`);
    return encoder;
  };
  const f = await trainOne('f', all, seed + 1, null);
  const result = {
    lossF: new Float64Array(n),
    lossG: new Float64Array(n),
    m: new Float64Array(n),
    se: new Float64Array(n),
    count: new Int32Array(n),
    fold: new Int32Array(n),
  };
  const scoring: CrossfitManifest['scoring'] = [];
  try {
    for (let j = 0; j < k; j++) {
      const name = `g_${j}`;
      const g = await trainOne(name, complement(n, folds[j]), seed + 2 + j, j);
      try {
        options.signal?.throwIfAborted();
        const s = await options.hooks.scorePoints({ f, g, images: gatherImages(options.images, folds[j]), itemIds: folds[j], seed, signal: options.signal });
        folds[j].forEach((index, i) => {
          result.lossF[index] = s.lossF[i];
          result.lossG[index] = s.lossG[i];
          result.m[index] = s.m[i];
          result.se[index] = s.se[i];
          result.count[index] = s.count[i];
          result.fold[index] = j;
        });
        scoring.push({ fold: j, f: 'f', g: name });
        progress(`scored fold ${j}`);
      } finally {
        g.dispose?.();
      }
    }
  } finally {
    f.dispose?.();
  }
  const manifest: CrossfitManifest = {
    format: CROSSFIT_FORMAT,
    seed,
    k,
    dataset: { name: options.dataset?.name ?? 'images', fingerprint: options.dataset?.fingerprint, n },
    folds: folds.map((fold) => Array.from(fold)),
    encoders,
    scoring,
  };
  return { ...result, manifest };
}

/**
 * Checks a cross-fit manifest's central promise: every point was scored by a g that never trained
 * on it and an f that did. Returns the violations (empty when the manifest is sound).
 */
export function crossfitViolations(manifest: CrossfitManifest): string[] {
  const problems: string[] = [];
  const byName = new Map(manifest.encoders.map((e) => [e.name, new Set(e.trainedOn)]));
  const scored = new Set<number>();
  for (const { fold, f, g } of manifest.scoring) {
    const fSet = byName.get(f);
    const gSet = byName.get(g);
    if (!fSet || !gSet) {
      problems.push(`fold ${fold}: encoder ${!fSet ? f : g} is not in the manifest`);
      continue;
    }
    for (const index of manifest.folds[fold]) {
      if (gSet.has(index)) problems.push(`point ${index} (fold ${fold}) was seen by ${g}`);
      if (!fSet.has(index)) problems.push(`point ${index} (fold ${fold}) was not seen by ${f}`);
      if (scored.has(index)) problems.push(`point ${index} was scored twice`);
      scored.add(index);
    }
  }
  for (let i = 0; i < manifest.dataset.n; i++) if (!scored.has(i)) problems.push(`point ${i} was never scored`);
  return problems;
}
