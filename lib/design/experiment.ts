/**
 * The whole SSLMem experiment as a library call: train the encoders a design asks for on a split
 * manifest, score the manifest's points with every replicate (the same views through every encoder),
 * and combine the replicates into one score per point with a standard error that fits the design.
 * `sslmem run` and `sslmem demo` are thin shells over {@link runExperiment}; a Node service can call
 * it directly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageDataset } from '../data/types';
import { datasetFingerprint, subset } from '../data';
import { Encoder } from '../encoder';
import type { Architecture, ArchitectureSettings } from '../encoder/description';
import type { CropGroupSpec, PipelineSpec } from '../augment';
import { augmentationFor, train, Method, MethodOptions, OptimizerOptions } from '../train';
import { scoreManifest, ScoreManifestOptions } from '../score/manifest-scoring';
import { resolveLayers } from '../score/score';
import { SplitManifest, validateManifest } from '../score/splits';
import { assertAbortSignal, assertFunction, assertInteger, assertObject, assertString } from '../validate';
import { invalidType } from '../errors';
import { makeDirectory } from '../io/atomic';
import { fingerprintOf, ResumeRecord, resumeDirectory } from './resume';
import { removeSegments, scoreManifestInSegments } from './segments';
import type { PointScore, ScoreRunInfo } from '../score/summary';
import { studentTSurvival } from '../score/distributions';
import { mean, oneSampleTTest } from '../score/stats';
import { combineReplicates, combineSwapped, CombinedScores, DesignEstimate, orientSplit, PairScores, swappedEstimate } from './estimators';
import { DesignName, DesignOptions, planDesign, PlannedReplicate, pseudoHalf } from './plan';

/** How every encoder of the experiment is trained (lib/train's options less data and seed). */
export interface ExperimentTraining {
  architecture: Architecture;
  width?: number;
  /** The architecture's own settings (a ViT's patch, depth, position, representation). */
  settings?: ArchitectureSettings;
  method: Method;
  methodOptions?: MethodOptions;
  /** The training augmentation: a pipeline, or a multi-crop layout (groups or preset) for methods with local views (DINO). */
  pipeline: PipelineSpec | CropGroupSpec[] | string;
  epochs: number;
  batchSize: number;
  optimizer?: OptimizerOptions;
  threads?: number;
  device?: 'cpu' | 'cuda';
}

/** Scoring options (lib/score's, less encoders, data and manifest). */
export type ExperimentScoring = Omit<ScoreManifestOptions, 'f' | 'g' | 'manifest' | 'dataset' | 'extraDataset' | 'onProgress' | 'signal' | 'shard'>;

export interface ExperimentProgress {
  stage: 'train' | 'score';
  /** Encoder being trained ('f', 'g1', 'a0', ...) or replicate being scored. */
  name: string;
  /** Trainings or scorings finished so far, and in all. */
  done: number;
  total: number;
  epoch?: number;
  epochs?: number;
  loss?: number;
  points?: number;
  pointsTotal?: number;
}

export interface ExperimentOptions {
  dataset: ImageDataset;
  /** The dataset S_E indexes when the manifest says so (e.g. the test split). */
  extraDataset?: ImageDataset;
  manifest: SplitManifest;
  design?: DesignOptions;
  training: ExperimentTraining;
  scoring?: ExperimentScoring;
  /** Seed of the trainings (replicate seeds derive from it). Default the manifest's seed. */
  seed?: number;
  /**
   * Save every encoder here as soon as it is trained: encoder-<name>.sslmem (replicate 0 of
   * single/pairs/swapped: encoder-f/g.sslmem), with a training checkpoint (checkpoint-<name>.sslmem,
   * removed once the encoder is saved) every `checkpointEvery` epochs.
   */
  saveEncoders?: string;
  /** Epochs between training checkpoints in `saveEncoders` (default 1). */
  checkpointEvery?: number;
  /**
   * Continue an interrupted call with the same options and `saveEncoders`: trained encoders are
   * loaded, trainings continue from their checkpoints, scored replicates are reused, each only when
   * its fingerprint (data, options, seed) matches (else ERR_SSLMEM_MISMATCH). Results equal an
   * uninterrupted call's. Default false: start over.
   */
  resume?: boolean;
  /**
   * With `saveEncoders`: points per durable scoring segment (default 512, lib/design/segments.ts).
   * Each finished segment is kept in the resume folder, so a crash during scoring loses at most one
   * segment and `resume` scores only the rest. Does not change the scores.
   */
  segmentPoints?: number;
  onProgress?: (progress: ExperimentProgress) => void;
  signal?: AbortSignal;
}

/** What every output records about the design. */
export interface DesignInfo {
  name: DesignName;
  replicates: number;
  /** Whether each replicate's two encoders shared their seed (initialization, views, order). */
  paired: boolean;
  encoders: Array<{ name: string; seed: number; trainedOn: number; file?: string }>;
  /** Per replicate, the mean oriented m of each group. */
  replicateGroupMeans: Array<Record<string, number>>;
  /** Swapped: the offset-free mean memorization of S_C and S_I. */
  offsetFree?: DesignEstimate;
  /**
   * Two or more replicates: the contrast of S_C against each other group (subsampled: of the pool
   * against S_E) computed per replicate, tested across replicates (t with K - 1 df): a test whose
   * error includes training randomness whole, encoder-level offsets included.
   */
  betweenReplicates?: Array<{ a: string; b: string } & DesignEstimate>;
  /** How the per-point standard error was computed. */
  standardError: string;
}

export interface ExperimentResult {
  points: PointScore[];
  run: ScoreRunInfo;
  design: DesignInfo;
  seconds: { train: number; score: number };
}

/** Trains and scores a design's replicates, one at a time (two encoders in memory at once). */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  assertObject('options', options);
  assertObject('options.dataset', options.dataset);
  assertObject('options.training', options.training);
  if (options.onProgress !== undefined) assertFunction('options.onProgress', options.onProgress);
  if (options.signal !== undefined) assertAbortSignal('options.signal', options.signal);
  const manifest = validateManifest(options.manifest, 'options.manifest');
  if (options.saveEncoders !== undefined) assertString('options.saveEncoders', options.saveEncoders, { nonEmpty: true });
  if (options.checkpointEvery !== undefined) assertInteger('options.checkpointEvery', options.checkpointEvery, { min: 1 });
  if (options.segmentPoints !== undefined) assertInteger('options.segmentPoints', options.segmentPoints, { min: 1 });
  if (options.resume !== undefined && typeof options.resume !== 'boolean') throw invalidType('options.resume', 'a boolean', options.resume);
  if (options.resume && options.saveEncoders === undefined) throw invalidType('options.saveEncoders', 'the folder of the run to resume (resume: true needs it)', undefined);
  const resumeDir = options.saveEncoders === undefined ? undefined : resumeDirectory(options.saveEncoders);
  const { dataset, extraDataset } = options;
  const design = options.design ?? { name: 'single' };
  const seed = options.seed ?? manifest.seed;
  const plan = planDesign(manifest, design, seed);
  checkScoringLayers(options);
  // Only after every option is checked: a rejected call leaves no folder behind.
  if (options.saveEncoders !== undefined) makeDirectory(options.saveEncoders);
  if (resumeDir && !options.resume) fs.rmSync(resumeDir, { recursive: true, force: true });
  const total = plan.replicates.length;
  const report = (p: ExperimentProgress) => {
    try {
      options.onProgress?.(p);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  };
  const encoders: DesignInfo['encoders'] = [];
  const scores: PairScores[] = [];
  /** LayerMem (scoring.layers): per replicate, per layer, the points' scores at that layer. */
  const layerScores: PairScores[][] = [];
  let scored: Awaited<ReturnType<typeof scoreManifest>> | undefined;
  let trainSeconds = 0;
  let scoreSeconds = 0;
  let trainings = 0;
  for (let r = 0; r < total; r++) {
    const replicate = plan.replicates[r];
    const started = Date.now();
    const keyF = trainingKey(options, replicate.trainF, replicate.seed);
    const keyG = trainingKey(options, replicate.trainG, replicate.seedG);
    for (const [name, trainedOn, encoderSeed] of [[replicate.f, replicate.trainF, replicate.seed], [replicate.g, replicate.trainG, replicate.seedG]] as const) {
      encoders.push({ name, seed: encoderSeed, trainedOn: trainedOn.length, ...(options.saveEncoders ? { file: encoderFile(options.saveEncoders, name) } : {}) });
    }
    // The scoring options (LayerMem's layers among them) are in the fingerprint: a resume with other
    // options is refused rather than pairing these encoders' stored scores with the wrong layers.
    const scoresRecord = resumeDir
      ? new ResumeRecord<Awaited<ReturnType<typeof scoreManifest>>>(path.join(resumeDir, `scores-${r}.json`), fingerprintOf('scores', { keyF, keyG, scoring: options.scoring ?? {}, manifest }), `the scores of replicate ${r}`)
      : undefined;
    const done = options.resume ? scoresRecord?.read() : undefined;
    if (done && fs.existsSync(encoderFile(options.saveEncoders!, replicate.f)) && fs.existsSync(encoderFile(options.saveEncoders!, replicate.g))) {
      trainings += 2;
      scored = done;
      scores.push(pairScores(scored.points));
      layerScores.push(layerPairScores(scored.points, scored.run.layers));
      continue;
    }
    const f = await trainOne(options, replicate.f, replicate.trainF, replicate.seed, keyF, (p) => report({ ...p, done: trainings, total: 2 * total }));
    trainings++;
    let g: Encoder | undefined;
    try {
      g = await trainOne(options, replicate.g, replicate.trainG, replicate.seedG, keyG, (p) => report({ ...p, done: trainings, total: 2 * total }));
      trainings++;
      trainSeconds += (Date.now() - started) / 1000;
      const scoreStart = Date.now();
      const scoring: ScoreManifestOptions = {
        ...options.scoring,
        f,
        g,
        manifest,
        dataset,
        extraDataset,
        signal: options.signal,
        onProgress: (p) => report({ stage: 'score', name: `${replicate.f}/${replicate.g}`, done: r, total, points: p.done, pointsTotal: p.total }),
      };
      // With a resume folder, finished segments of points are kept as they complete (lib/design/segments.ts).
      const segments = resumeDir && path.join(resumeDir, `scores-${r}-segments`);
      scored = segments
        ? await scoreManifestInSegments(scoring, { dir: segments, fingerprint: scoresRecord!.fingerprint, resume: options.resume, segmentPoints: options.segmentPoints })
        : await scoreManifest(scoring);
      scoreSeconds += (Date.now() - scoreStart) / 1000;
      scoresRecord?.write(scored);
      if (segments) removeSegments(segments);
      scores.push(pairScores(scored.points));
      layerScores.push(layerPairScores(scored.points, scored.run.layers));
    } finally {
      f.dispose();
      g?.dispose();
    }
  }
  if (resumeDir) fs.rmSync(resumeDir, { recursive: true, force: true });
  const points = scored!.points;
  const perReplicate = oriented(plan.design, plan.replicates, points, scores);
  const combined = combine(plan.design, points, perReplicate);
  // Every layer's scores combine over the replicates exactly as the representation's do.
  const layers = (scored!.run.layers ?? []).map((_, l) => combine(plan.design, points, oriented(plan.design, plan.replicates, points, layerScores.map((replicate) => replicate[l]))));
  const out: PointScore[] = points.map((p, i) => ({
    ...p,
    lossF: combined.lossF[i],
    lossG: combined.lossG[i],
    m: combined.m[i],
    se: combined.se[i],
    count: combined.count[i],
    df: combined.df[i],
    ...(layers.length ? { layers: layers.map((c) => ({ lossF: c.lossF[i], lossG: c.lossG[i], m: c.m[i], se: c.se[i], count: c.count[i] })) } : {}),
  }));
  const info = describeDesign(plan.design, plan.paired, plan.replicates, encoders, points, perReplicate, out);
  const run: ScoreRunInfo = { ...scored!.run, design: info };
  return { points: out, run, design: info, seconds: { train: trainSeconds, score: scoreSeconds } };
}

/**
 * LayerMem's layers (scoring.layers) checked against the encoders the experiment will train, before
 * any training: an encoder of the training's architecture, width and settings, built and dropped.
 */
function checkScoringLayers(options: ExperimentOptions): void {
  const layers = options.scoring?.layers;
  if (layers === undefined) return;
  const [, h, w, c] = options.dataset.images.shape;
  const t = options.training;
  const probe = Encoder.create({ architecture: t.architecture, inputShape: [c, h, w], width: t.width, settings: t.settings });
  try {
    resolveLayers(layers, probe, probe, 'options.scoring.layers');
  } finally {
    probe.dispose();
  }
}

/** What an encoder's training depends on: its data (by content), the training options and its seed. */
function trainingKey(options: ExperimentOptions, indices: readonly number[], seed: number): string {
  const { threads: _threads, device: _device, ...training } = options.training;
  return fingerprintOf('training', { training, seed, indices, data: datasetFingerprint(subset(options.dataset, [...indices])) });
}

function encoderFile(dir: string, name: string): string {
  // Replicate 0 of single, pairs and swapped is f and g: encoder-f.sslmem and encoder-g.sslmem, the names the report looks for.
  return path.join(dir, `encoder-${name}.sslmem`);
}

/**
 * Trains one encoder, or with `resume` loads it (or continues its checkpoint) when its fingerprint
 * matches. With `saveEncoders` it is saved at once, so a later crash does not lose it.
 */
async function trainOne(options: ExperimentOptions, name: string, indices: number[], seed: number, key: string, progress: (p: ExperimentProgress) => void): Promise<Encoder> {
  const t = options.training;
  const dir = options.saveEncoders;
  const record = dir ? new ResumeRecord<{ epochs: number }>(path.join(resumeDirectory(dir), `encoder-${name}.json`), key, `encoder ${name}`) : undefined;
  const file = dir ? encoderFile(dir, name) : undefined;
  const checkpoint = dir ? path.join(dir, `checkpoint-${name}.sslmem`) : undefined;
  let resumeFrom: string | undefined;
  if (options.resume && record?.read()) {
    if (fs.existsSync(file!)) {
      fs.rmSync(checkpoint!, { force: true }); // killed between saving the encoder and removing its checkpoint
      return Encoder.load(file!);
    }
    if (fs.existsSync(checkpoint!)) resumeFrom = checkpoint;
  }
  record?.write({ epochs: t.epochs });
  const data = subset(options.dataset, indices);
  const result = await train({
    images: data.images,
    itemIds: indices,
    encoder: { architecture: t.architecture, width: t.width, settings: t.settings },
    method: t.method,
    methodOptions: t.methodOptions,
    ...augmentationFor(t.pipeline),
    epochs: t.epochs,
    batchSize: Math.min(t.batchSize, indices.length),
    optimizer: t.optimizer,
    seed,
    threads: t.threads,
    device: t.device,
    dataFingerprint: datasetFingerprint(data),
    ...(checkpoint ? { checkpoint: { path: checkpoint, every: options.checkpointEvery ?? 1 } } : {}),
    ...(resumeFrom ? { resume: resumeFrom } : {}),
    signal: options.signal,
    onProgress: (p) => {
      if (p.epochLoss !== undefined) progress({ stage: 'train', name, done: 0, total: 0, epoch: p.epoch, epochs: p.epochs, loss: p.epochLoss });
    },
  });
  if (file) {
    await result.encoder.save(file);
    fs.rmSync(checkpoint!, { force: true });
  }
  return result.encoder;
}

function pairScores(points: ReadonlyArray<Pick<PointScore, 'lossF' | 'lossG' | 'm' | 'se' | 'count'>>): PairScores {
  return {
    lossF: Float64Array.from(points, (p) => p.lossF),
    lossG: Float64Array.from(points, (p) => p.lossG),
    m: Float64Array.from(points, (p) => p.m),
    se: Float64Array.from(points, (p) => p.se),
    count: Int32Array.from(points, (p) => p.count),
  };
}

/** Per layer of a LayerMem scoring (none without `layers`), the points' scores at that layer. */
function layerPairScores(points: readonly PointScore[], layers: readonly string[] | undefined): PairScores[] {
  return (layers ?? []).map((_, l) => pairScores(points.map((p) => p.layers![l])));
}

/** Per replicate, the scores oriented so that f is the encoder that trained on the point (subsampled) or as scored. */
function oriented(design: DesignName, replicates: readonly PlannedReplicate[], points: readonly PointScore[], scores: readonly PairScores[]): PairScores[] {
  if (design !== 'subsampled') return [...scores];
  return scores.map((s, r) => {
    const inA = new Set(replicates[r].trainF);
    return orientSplit(s, points.map((p) => (p.group === 'extra' ? pseudoHalf(replicates[r].seed, p.index) : inA.has(p.index))));
  });
}

/** One score per point from the replicates' (oriented) scores, as the design combines them. */
function combine(design: DesignName, points: readonly PointScore[], perReplicate: readonly PairScores[]): CombinedScores {
  if (design === 'swapped') {
    const role = points.map((p) => (p.group === 'candidates' ? 'candidate' : p.group === 'independent' ? 'independent' : 'control') as 'candidate' | 'independent' | 'control');
    return combineSwapped(perReplicate[0], perReplicate[1], role);
  }
  return combineReplicates(perReplicate);
}

const STANDARD_ERRORS: Record<DesignName, string> = {
  single: 'view noise: std of the per-pair differences (ddof 1) / sqrt(pairs), df pairs - 1',
  pairs: 'between pairs of encoders: std of m over the K pairs (ddof 1) / sqrt(K), df K - 1',
  swapped: 'view noise of the two pairs: sqrt(se^2 + se_mirror^2) / 2, df pairs - 1; the offset-free estimate uses the within-group spread',
  subsampled: 'between half-splits: std over the J splits of L(encoder without x) - L(encoder with x) (ddof 1) / sqrt(J), df J - 1',
};

function describeDesign(
  design: DesignName,
  paired: boolean,
  replicates: readonly PlannedReplicate[],
  encoders: DesignInfo['encoders'],
  points: readonly PointScore[],
  perReplicate: readonly PairScores[],
  combined: readonly PointScore[],
): DesignInfo {
  const groups = [...new Set(points.map((p) => p.group))];
  const membersOf = (group: string) => points.flatMap((p, i) => (p.group === group ? [i] : []));
  const replicateGroupMeans = perReplicate.map((s) => Object.fromEntries(groups.map((g) => [g, mean(membersOf(g).map((i) => s.m[i]))])));
  const info: DesignInfo = { name: design, replicates: replicates.length, paired, encoders, replicateGroupMeans, standardError: STANDARD_ERRORS[design] };
  if (design === 'swapped') {
    const values = (group: string) => membersOf(group).map((i) => combined[i].m);
    if (values('candidates').length >= 2 && values('independent').length >= 2) info.offsetFree = swappedEstimate(values('candidates'), values('independent'));
  }
  if (perReplicate.length >= 2 && design !== 'swapped') {
    const reference = design === 'subsampled' ? null : 'candidates';
    const contrasts: DesignInfo['betweenReplicates'] = [];
    const pairsToTest: Array<[string, string]> = reference
      ? groups.filter((g) => g !== reference && groups.includes(reference)).map((g) => [reference, g])
      : groups.filter((g) => g !== 'extra' && groups.includes('extra')).map((g) => [g, 'extra']);
    for (const [a, b] of pairsToTest) {
      // A one-sample t-test over the replicates' contrasts, one-sided (a above b).
      const test = oneSampleTTest(replicateGroupMeans.map((means) => means[a] - means[b]));
      contrasts.push({ a, b, estimate: test.mean, se: test.se, df: test.df, t: test.t, p: studentTSurvival(test.t, test.df) });
    }
    info.betweenReplicates = contrasts;
  }
  return info;
}
