/**
 * The removal experiment (the SSLMem paper, Sec. 5: memorization improves downstream
 * generalization): from a training set with memorization scores, remove the n most memorized
 * ("top"), n random ("random") or the n least memorized ("bottom") points, retrain the encoder on
 * the rest with several seeds, and measure linear-probe and kNN accuracy on each downstream task.
 * The paper's claim predicts accuracy(top) < accuracy(random) < accuracy(bottom) as n grows.
 *
 * Design: for a given seed every arm and n trains with the same training seed, so arms differ only
 * in what was removed (a paired comparison); n = 0 is the common baseline, trained once per seed
 * and recorded under every arm. The random arm draws a fresh subset per (seed, n).
 */
import type { ImageDataset } from '../data/types';
import { outOfRange } from '../errors';
import { evaluateEncoder, EvaluateOptions } from '../eval/evaluate';
import type { Uint8Tensor } from '../tensor';
import { assertInteger, assertObject } from '../validate';
import { writeFilesAtomic } from '../io/atomic';
import { seededPermutation } from '../score/random';
import { gatherImages } from '../data/subset';
import { complement } from './folds';
import type { ExperimentHooks } from './hooks';
import { REMOVAL_ARMS, RemovalArm, RemovalRunRecord, RemovalSummary, RemovalTask, summarizeRemoval } from './removal-summary';

export const REMOVAL_MANIFEST_FORMAT = 'sslmem-removal-manifest/1';

export interface RemovalTaskSpec {
  task: RemovalTask;
  /** Labelled set the probe / kNN bank is fitted on. */
  train: ImageDataset;
  /** Labelled set accuracy is measured on. */
  test: ImageDataset;
}

export interface RemovalOptions {
  /** The training set D the scores refer to, uint8 NHWC. */
  images: Uint8Tensor;
  /** Memorization score of each point of D (e.g. cross-fitted m). */
  scores: ArrayLike<number>;
  /** Numbers of points to remove, e.g. [0, 250, 500, 1000]. */
  sizes: number[];
  /** Training seeds (at least 1; 3 or more for a standard deviation worth reading). */
  seeds: number[];
  /** Default all three: top, random, bottom. */
  arms?: RemovalArm[];
  hooks: Pick<ExperimentHooks, 'trainEncoder'>;
  tasks: RemovalTaskSpec[];
  /** Passed to evaluateEncoder (probe / kNN settings, methods). */
  evaluation?: Pick<EvaluateOptions, 'probe' | 'knn' | 'methods' | 'batchSize'>;
  /** When given: removal-manifest.json, removal-runs.json and removal.json go here (charts: lib/report's removalCharts). */
  outDir?: string;
  onProgress?: (event: { done: number; total: number; run: RemovalRunRecord }) => void;
  signal?: AbortSignal;
}

export interface RemovalManifestRun {
  arm: RemovalArm;
  n: number;
  seed: number;
  /** Dataset indices removed, ascending. */
  removed: number[];
  /** Number of points the encoder trained on (N - n). */
  trainedOnCount: number;
  /** Name given to the trained encoder. */
  encoder: string;
}

export interface RemovalManifest {
  format: typeof REMOVAL_MANIFEST_FORMAT;
  n: number;
  sizes: number[];
  seeds: number[];
  arms: RemovalArm[];
  runs: RemovalManifestRun[];
}

export interface RemovalResult {
  manifest: RemovalManifest;
  runs: Array<RemovalRunRecord & { seconds: number }>;
  summary: RemovalSummary;
  /** Files written into outDir. */
  files: string[];
}

/** Points ranked by score, descending (top) or ascending (bottom), ties by index. */
function ranked(scores: ArrayLike<number>, descending: boolean): Int32Array {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => (descending ? scores[b] - scores[a] : scores[a] - scores[b]) || a - b);
  return Int32Array.from(order);
}

/** The indices an arm removes for (n, seed), ascending. */
export function removalSet(arm: RemovalArm, scores: ArrayLike<number>, n: number, seed: number): Int32Array {
  let chosen: Int32Array;
  if (arm === 'top') chosen = ranked(scores, true).subarray(0, n);
  else if (arm === 'bottom') chosen = ranked(scores, false).subarray(0, n);
  else chosen = seededPermutation(scores.length, (Math.imul(seed, 0x9e3779b1) + n) >>> 0).subarray(0, n);
  return Int32Array.from(chosen).sort();
}

/** Runs the removal experiment (see the module comment). */
export async function removalExperiment(options: RemovalOptions): Promise<RemovalResult> {
  assertObject('options', options);
  const N = options.images.shape[0];
  if (options.scores.length !== N) throw outOfRange('options.scores.length', `${N} (one score per training image)`, options.scores.length);
  for (let i = 0; i < N; i++) if (!Number.isFinite(options.scores[i])) throw outOfRange(`options.scores[${i}]`, 'a finite number', options.scores[i]);
  if (!Array.isArray(options.sizes) || options.sizes.length === 0) throw outOfRange('options.sizes', 'a non-empty array of counts', String(options.sizes), true);
  options.sizes.forEach((n, i) => assertInteger(`options.sizes[${i}]`, n, { min: 0, max: N - 1 }));
  if (!Array.isArray(options.seeds) || options.seeds.length === 0) throw outOfRange('options.seeds', 'a non-empty array of seeds', String(options.seeds), true);
  options.seeds.forEach((s, i) => assertInteger(`options.seeds[${i}]`, s, { min: 0, max: 2 ** 31 - 1 }));
  const arms = options.arms ?? [...REMOVAL_ARMS];
  arms.forEach((arm, i) => {
    if (!REMOVAL_ARMS.includes(arm)) throw outOfRange(`options.arms[${i}]`, `one of ${REMOVAL_ARMS.join(', ')}`, arm);
  });
  if (!Array.isArray(options.tasks) || options.tasks.length === 0) throw outOfRange('options.tasks', 'at least one downstream task', String(options.tasks), true);
  const sizes = [...new Set(options.sizes)].sort((a, b) => a - b);
  const manifest: RemovalManifest = { format: REMOVAL_MANIFEST_FORMAT, n: N, sizes, seeds: [...options.seeds], arms, runs: [] };
  const runs: RemovalResult['runs'] = [];
  const plan = options.seeds.flatMap((seed) => sizes.flatMap((n) => (n === 0 ? [{ arms, n, seed }] : arms.map((arm) => ({ arms: [arm], n, seed })))));
  const total = plan.length;
  for (const [step, item] of plan.entries()) {
    options.signal?.throwIfAborted();
    const started = performance.now();
    const arm = item.arms[0];
    const removed = removalSet(arm, options.scores, item.n, item.seed);
    const keep = complement(N, removed);
    const name = item.n === 0 ? `baseline-seed${item.seed}` : `${arm}-n${item.n}-seed${item.seed}`;
    const encoder = await options.hooks.trainEncoder({ images: gatherImages(options.images, keep), indices: keep, seed: item.seed, name, signal: options.signal });
    const accuracy: RemovalRunRecord['accuracy'] = {};
    try {
      for (const task of options.tasks) {
        const result = await evaluateEncoder(encoder, { train: task.train, test: task.test, ...options.evaluation, signal: options.signal });
        accuracy[task.task] = { ...(result.linearProbe ? { 'linear-probe': result.linearProbe.testAccuracy } : {}), ...(result.knn ? { knn: result.knn.accuracy } : {}) };
      }
    } finally {
      encoder.dispose?.();
    }
    const seconds = (performance.now() - started) / 1000;
    for (const a of item.arms) {
      const record = { arm: a, n: item.n, seed: item.seed, accuracy };
      manifest.runs.push({ arm: a, n: item.n, seed: item.seed, removed: Array.from(removed), trainedOnCount: keep.length, encoder: name });
      runs.push({ ...record, seconds });
      options.onProgress?.({ done: step + 1, total, run: record });
    }
  }
  const summary = summarizeRemoval(runs);
  const files = options.outDir ? writeRemovalOutputs(options.outDir, manifest, runs, summary) : [];
  return { manifest, runs, summary, files };
}

/**
 * Writes the manifest, per-run records and summary, all-or-nothing (writeFilesAtomic). The charts
 * of removal.json are drawn by lib/report (removalCharts): `sslmem removal` and the HTML report.
 */
export function writeRemovalOutputs(dir: string, manifest: RemovalManifest, runs: RemovalResult['runs'], summary: RemovalSummary): string[] {
  const files: Record<string, string> = {
    'removal-manifest.json': JSON.stringify(manifest) + '\n',
    'removal-runs.json': JSON.stringify(runs, null, 2) + '\n',
    'removal.json': JSON.stringify(summary, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n',
  };
  return writeFilesAtomic(dir, files);
}
