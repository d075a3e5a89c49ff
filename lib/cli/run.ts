import * as path from 'node:path';
import { REPORT_FILE, writeReport } from '../report/write';
import { Command, Option } from 'commander';
import { datasetFingerprint, ImageDataset, openDataset } from '../data';
import { findArchitecture } from '../encoder/architectures';
import { findMethod, validateMethodScalars } from '../train/methods';
import type { MethodOptions, OptimizerName } from '../train';
import { writeFilesAtomic } from '../io/atomic';
import { StagedDirectory } from '../io/staged';
import { makeSplits, SplitManifest } from '../score';
import type { ScoreSummary } from '../score';
import { DesignName, designNames, DesignOptions, replicateCount, runExperiment } from '../design';
import { detectBlas } from '../blas';
import { setTorchThreads } from '../system';
import { assertOneOf } from '../validate';
import { flagParsers, namedNumbers, namedValues, parseIntegers } from './parse';
import { addScoringOptions, applyConfig, finishScores, interruptSignal, readPipelineOption, ScoringFlags, scoringOptions } from './score-common';
import { formatSeconds, ProgressBar } from './progress';
import { parseLayers } from './score';

/** Everything `sslmem run` (and `demo`) does, as flags. */
export interface RunFlags extends ScoringFlags {
  dataset: string;
  split: string;
  shared: number;
  candidates: number;
  independent: number;
  extra: number;
  extraFrom: 'test' | 'train';
  sharedSample?: number;
  architecture: string;
  architectureSetting?: Record<string, string>;
  width: number;
  method: string;
  temperature: number;
  methodOption?: Record<string, number>;
  epochs: number;
  trainBatchSize: number;
  optimizer: string;
  lr: number;
  weightDecay: number;
  trainPipeline?: string;
  projector?: string;
  projectorBn?: boolean;
  design: DesignName;
  paired?: boolean;
  pairs: number;
  splits: number;
  layers?: string;
  out: string;
  resume?: boolean;
  segmentPoints?: number;
}

/** Adds the options of the whole experiment (splits, training, scoring) with the given defaults. */
export function addRunOptions(cmd: Command, d: Partial<RunFlags> = {}): Command {
  cmd
    .option('--dataset <name|path>', "dataset: 'fashion-mnist', 'mnist', 'fashion-mnist-demo' or a path", d.dataset ?? 'fashion-mnist')
    .option('--split <split>', 'split the encoders train on', 'train')
    .option('--shared <n>', 'size of S_S (both encoders train on it)', flagParsers.integer('--shared'), d.shared ?? 10000)
    .option('--candidates <n>', 'size of S_C (only f trains on it)', flagParsers.integer('--candidates'), d.candidates ?? 1000)
    .option('--independent <n>', 'size of S_I (only g trains on it)', flagParsers.integer('--independent'), d.independent ?? 1000)
    .option('--extra <n>', 'size of S_E (neither encoder trains on it)', flagParsers.integer('--extra'), d.extra ?? 1000)
    .option('--extra-from <split>', "where S_E comes from: 'test' (the test split) or 'train' (held out of the training split)", d.extraFrom ?? 'test')
    .option('--shared-sample <n>', 'score a seeded sample of this many S_S points (default: as many as S_C)', flagParsers.integer('--shared-sample'))
    .option('--architecture <name>', "encoder backbone (`sslmem info --methods` lists them); default 'pooled-cnn': the calibrated recipe of docs/scoring.md, under which it memorizes measurably", d.architecture ?? 'pooled-cnn')
    .option('--architecture-setting <name=value>', "one of the backbone's settings (repeatable), e.g. patch=4 for a ViT", namedValues('--architecture-setting'))
    .option('--width <x>', 'channel multiplier of the encoder', flagParsers.number('--width'), d.width ?? 1)
    .option('--method <name>', 'SSL method (`sslmem info --methods` lists them with their options)', d.method ?? 'simclr')
    .option('--temperature <t>', "SimCLR temperature (used with --method simclr only); 0.2, not the library's 0.5: the calibrated recipe of docs/scoring.md", flagParsers.number('--temperature'), d.temperature ?? 0.2)
    .option('--method-option <name=value>', "one of the method's hyper-parameters (repeatable), e.g. tauBase=0.99", namedNumbers('--method-option'))
    .option('--epochs <n>', 'training epochs of each encoder', flagParsers.integer('--epochs'), d.epochs ?? 100)
    .option('--train-batch-size <n>', 'training batch size', flagParsers.integer('--train-batch-size'), d.trainBatchSize ?? 256)
    .option('--optimizer <name>', "'sgd', 'adam', 'adamw' or 'lars'; adam at --lr 1e-3, not the library's sgd: the calibrated recipe of docs/scoring.md, under which the pooled CNN memorizes measurably", d.optimizer ?? 'adam')
    .option('--lr <x>', 'learning rate', flagParsers.number('--lr'), d.lr ?? 1e-3)
    .option('--weight-decay <x>', 'weight decay', flagParsers.number('--weight-decay'), d.weightDecay ?? 1e-6)
    .option('--train-pipeline <name|file.json>', "training augmentation (default: 'grayscale-28' for 1-channel images, else 'simclr-cifar'); for --method dino also a multi-crop preset ('dino-28', 'dino-32') or JSON groups", d.trainPipeline)
    .option('--projector <dims>', 'projector layer sizes after the representation, e.g. "128,64" (default: the method\'s)', d.projector)
    .option('--no-projector-bn', 'no batch norm in the projector\'s hidden layers')
    .addOption(new Option('--design <name>', "'single' (one pair f, g), 'swapped' (the pair and its mirror: cancels encoder offsets), 'pairs' (K pairs: se includes training randomness), 'subsampled' (J half-splits of the pool)").choices([...designNames]).default(d.design ?? 'single'))
    .option('--no-paired', 'train each g with its own seed (independent trainings, as in the paper) instead of sharing f\'s initialization, views and order')
    .option('--pairs <K>', "pairs of encoders for --design pairs", flagParsers.integer('--pairs'), d.pairs ?? 3)
    .option('--splits <J>', "half-splits for --design subsampled (2 encoders each)", flagParsers.integer('--splits'), d.splits ?? 2)
    .option('--layers <list|all>', 'LayerMem: also score these layers of the trained encoders (comma-separated, or "all"; "sslmem info --architectures" lists them), writing layers.csv and layers.json beside the scores; combined over replicates as the scores are')
    .option('--out <dir>', 'output directory (written whole: built in .NAME.partial beside it and renamed into place at the end)', d.out ?? 'sslmem-run')
    .option('--resume', 'continue an interrupted run into the same --out with the same flags: reuse its trained encoders, training checkpoints, scored replicates and scored segments of points (each checked by a fingerprint of data, options and seed)')
    .option('--segment-points <n>', 'points per durable scoring segment: a crash during scoring loses at most this many points\' work (does not change the scores)', flagParsers.integer('--segment-points'), 512);
  return addScoringOptions(cmd, { views: d.views });
}

export interface RunReport {
  out: string;
  manifest: SplitManifest;
  summary: ScoreSummary;
  seconds: { train: number; score: number; total: number };
}

/** The design the flags ask for: --design, with --pairs K or --splits J for its replicates. */
export function designFromFlags(flags: Pick<RunFlags, 'design' | 'pairs' | 'splits' | 'paired'>): DesignOptions {
  const name = flags.design;
  assertOneOf('--design', name, designNames);
  const paired = flags.paired !== false;
  const design: DesignOptions = name === 'pairs' ? { name, replicates: flags.pairs, paired } : name === 'subsampled' ? { name, replicates: flags.splits, paired } : { name, paired };
  replicateCount(design); // checks the replicate count before any data is read
  return design;
}

/**
 * `sslmem run` over lib/design's runExperiment: deal the splits, train the design's encoders
 * (paired: same initialization, augmentation and order keys by dataset index), score S_C, S_I, a
 * sample of S_S and S_E with every replicate, and write manifest.json, the encoders, scores.csv,
 * scores.jsonl, summary.json, summary.txt, timing.json and the HTML report into the output directory
 * (with `--layers`, also layers.csv and layers.json, and the per-layer chart in the report).
 */
export async function runFromFlags(flags: RunFlags): Promise<RunReport> {
  const started = Date.now();
  const ui = !flags.quiet && !flags.json;
  const say = (text: string) => ui && process.stderr.write(text + '\n');
  const staged = StagedDirectory.open(flags.out, { resume: flags.resume === true });
  const out = staged.dir;
  const design = designFromFlags(flags);
  findArchitecture(flags.architecture, '--architecture');
  const method = findMethod(flags.method, '--method');
  validateMethodScalars(method, flags.methodOption ?? {}, '--method-option');
  const methodOptions: MethodOptions = {
    ...(flags.method === 'simclr' ? { temperature: flags.temperature } : {}),
    ...flags.methodOption,
    ...(flags.projector ? { projectorDims: parseIntegers('--projector', flags.projector, 1) } : {}),
    ...(flags.projectorBn === false ? { projectorBatchNorm: false } : {}),
  };
  if (flags.threads) setTorchThreads(flags.threads);
  const signal = interruptSignal();
  const dataset = await openDataset(flags.dataset, { split: flags.split as 'train' | 'test' });
  let extraDataset: ImageDataset | undefined;
  if (flags.extra > 0 && flags.extraFrom === 'test') extraDataset = await openDataset(flags.dataset, { split: 'test' });
  const manifest = makeSplits({
    n: dataset.images.shape[0],
    sizes: { shared: flags.shared, candidates: flags.candidates, independent: flags.independent },
    extra: flags.extra > 0 ? (extraDataset ? { dataset: { name: extraDataset.name, fingerprint: datasetFingerprint(extraDataset), n: extraDataset.images.shape[0] }, n: flags.extra } : { n: flags.extra }) : undefined,
    seed: flags.seed,
    datasetName: dataset.name,
    fingerprint: datasetFingerprint(dataset),
  });
  say(`splits of ${dataset.name}: S_S ${manifest.sizes.shared}, S_C ${manifest.sizes.candidates}, S_I ${manifest.sizes.independent}, S_E ${manifest.sizes.extra}${extraDataset ? ` (from ${extraDataset.name})` : ''}; design ${design.name}`);
  writeFilesAtomic(out, { 'manifest.json': JSON.stringify(manifest, null, 2) + '\n' });

  const channels = dataset.images.shape[3];
  const trainPipeline = readPipelineOption(flags.trainPipeline) ?? (channels === 1 ? 'grayscale-28' : 'simclr-cifar');
  let bar: ProgressBar | undefined;
  let barKey = '';
  const experiment = await runExperiment({
    dataset,
    extraDataset,
    manifest,
    design,
    training: {
      architecture: flags.architecture,
      ...(flags.architectureSetting ? { settings: flags.architectureSetting } : {}),
      width: flags.width,
      method: flags.method,
      methodOptions,
      pipeline: trainPipeline,
      epochs: flags.epochs,
      batchSize: flags.trainBatchSize,
      optimizer: { name: flags.optimizer as OptimizerName, lr: flags.lr, weightDecay: flags.weightDecay },
      threads: flags.threads,
    },
    scoring: { ...scoringOptions(flags), ...(flags.layers !== undefined ? { layers: parseLayers(flags.layers) } : {}), sharedSample: flags.sharedSample ?? (design.name === 'subsampled' ? undefined : Math.min(manifest.sizes.shared, Math.max(manifest.sizes.candidates, 1))) },
    seed: flags.seed,
    saveEncoders: out,
    resume: flags.resume === true,
    segmentPoints: flags.segmentPoints,
    signal,
    onProgress: (p) => {
      const key = `${p.stage} ${p.name}`;
      if (key !== barKey) {
        bar?.finish();
        barKey = key;
        bar = p.stage === 'train' ? new ProgressBar(`training ${p.name}`, p.epochs ?? flags.epochs, ui) : new ProgressBar(`scoring with ${p.name}`, p.pointsTotal ?? 0, ui);
      }
      if (p.stage === 'train') bar!.update(p.epoch ?? 0, p.epochs ?? flags.epochs, p.loss !== undefined ? `loss ${p.loss.toFixed(3)}` : '');
      else bar!.update(p.points ?? 0, p.pointsTotal ?? 0);
    },
  });
  bar?.finish();
  const total = (Date.now() - started) / 1000;
  const seconds = { ...experiment.seconds, total };
  const summary = finishScores(out, experiment.points, experiment.run, flags, {}, { seconds }, flags.out);
  // Where the time went and what it ran on (the BLAS behind libtorch changes training speed ~5x).
  const blas = detectBlas();
  writeFilesAtomic(out, { 'timing.json': JSON.stringify({ ...seconds, threads: flags.threads, blas: blas.library === null ? blas : { library: blas.library, kind: blas.kind, threading: blas.threading ?? null } }, null, 2) + '\n' });
  // The visual report (histograms, galleries, per-class bars, typicality under g) closes every run.
  await writeReport(out, { dataset, extraDataset, runDirLabel: path.resolve(flags.out) });
  const final = staged.commit({ command: 'run', argv: process.argv.slice(2) });
  const report = { html: path.join(final, REPORT_FILE) };
  if (!flags.json) {
    if (experiment.design.offsetFree) {
      const e = experiment.design.offsetFree;
      process.stdout.write(`Offset-free estimate (mean memorization of S_C and S_I over both pairs): ${e.estimate.toFixed(4)} (se ${e.se.toFixed(4)}, t ${e.t.toFixed(2)}, p ${formatP(e.p)})\n`);
    }
    for (const c of experiment.design.betweenReplicates ?? []) {
      process.stdout.write(`Between replicates (${experiment.design.replicates}): m(${c.a}) - m(${c.b}) = ${c.estimate.toFixed(4)} (se ${c.se.toFixed(4)}, t ${c.t.toFixed(2)}, df ${c.df}, p ${formatP(c.p)})\n`);
    }
    process.stdout.write(`Report: ${report.html}\n`);
    process.stdout.write(`Wall time: ${formatSeconds(total)} (training ${formatSeconds(seconds.train)}, scoring ${formatSeconds(seconds.score)}; BLAS ${blas.library === null ? 'unknown' : `${blas.kind}${blas.threading ? ` ${blas.threading}` : ''}`}).\n`);
  }
  return { out: final, manifest, summary, seconds };
}

function formatP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

/** `sslmem run`: splits, trains f and g, scores, writes everything. */
export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('the whole SSLMem experiment: deal S_S/S_C/S_I/S_E, train f on S_S+S_C and g on S_S+S_I, score, summarize');
  addRunOptions(cmd).action(async (raw: RunFlags) => {
    await runFromFlags(applyConfig(cmd, raw));
  });
}
