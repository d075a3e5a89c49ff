import * as path from 'node:path';
import { writeReport } from '../report/write';
import { Command } from 'commander';
import { datasetFingerprint, ImageDataset, openDataset, subset } from '../data';
import { Encoder } from '../encoder';
import { train } from '../train';
import { assertWritableDirectory, makeSplits, scoreManifest, SplitManifest, writeFilesAtomic } from '../score';
import type { ScoreSummary } from '../score';
import { setTorchThreads } from '../system';
import { addScoringOptions, applyConfig, finishScores, interruptSignal, parsers, readPipelineOption, scoreProgress, ScoringFlags, scoringOptions } from './score-common';
import { formatSeconds, ProgressBar } from './progress';

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
  width: number;
  method: string;
  temperature: number;
  epochs: number;
  trainBatchSize: number;
  optimizer: string;
  lr: number;
  weightDecay: number;
  trainPipeline?: string;
  out: string;
}

/** Adds the options of the whole experiment (splits, training, scoring) with the given defaults. */
export function addRunOptions(cmd: Command, d: Partial<RunFlags> = {}): Command {
  cmd
    .option('--dataset <name|path>', "dataset: 'fashion-mnist', 'mnist', 'fashion-mnist-demo' or a path", d.dataset ?? 'fashion-mnist')
    .option('--split <split>', 'split the encoders train on', 'train')
    .option('--shared <n>', 'size of S_S (both encoders train on it)', parsers.int, d.shared ?? 10000)
    .option('--candidates <n>', 'size of S_C (only f trains on it)', parsers.int, d.candidates ?? 1000)
    .option('--independent <n>', 'size of S_I (only g trains on it)', parsers.int, d.independent ?? 1000)
    .option('--extra <n>', 'size of S_E (neither encoder trains on it)', parsers.int, d.extra ?? 1000)
    .option('--extra-from <split>', "where S_E comes from: 'test' (the test split) or 'train' (held out of the training split)", d.extraFrom ?? 'test')
    .option('--shared-sample <n>', 'score a seeded sample of this many S_S points (default: as many as S_C)', parsers.int)
    .option('--architecture <name>', "encoder: 'small-cnn' (keeps spatial detail: conv, flatten, 512-d linear), 'resnet9', 'resnet18'", d.architecture ?? 'small-cnn')
    .option('--width <x>', 'channel multiplier of the encoder', parsers.float, d.width ?? 1)
    .option('--method <name>', "SSL method: 'simclr', 'byol', 'simsiam', 'vicreg'", d.method ?? 'simclr')
    .option('--temperature <t>', 'SimCLR temperature', parsers.float, d.temperature ?? 0.2)
    .option('--epochs <n>', 'training epochs of each encoder', parsers.int, d.epochs ?? 100)
    .option('--train-batch-size <n>', 'training batch size', parsers.int, d.trainBatchSize ?? 256)
    .option('--optimizer <name>', "'sgd', 'adam', 'adamw' or 'lars'", d.optimizer ?? 'adam')
    .option('--lr <x>', 'learning rate', parsers.float, d.lr ?? 1e-3)
    .option('--weight-decay <x>', 'weight decay', parsers.float, d.weightDecay ?? 1e-6)
    .option('--train-pipeline <name|file.json>', "training augmentation (default: 'grayscale-28' for 1-channel images, else 'simclr-cifar')", d.trainPipeline)
    .option('--out <dir>', 'output directory', d.out ?? 'sslmem-run');
  return addScoringOptions(cmd, { views: d.views });
}

export interface RunReport {
  out: string;
  manifest: SplitManifest;
  summary: ScoreSummary;
  seconds: { train: number; score: number; total: number };
}

/**
 * The whole SSLMem experiment: deal the splits, train f on S_S + S_C and g on S_S + S_I with the
 * same seed (so they differ only in their data), score S_C, S_I, a sample of S_S and S_E, and write
 * manifest.json, encoder-f.sslmem, encoder-g.sslmem, scores.csv, scores.jsonl, summary.json and
 * summary.txt into the output directory.
 */
export async function runExperiment(flags: RunFlags): Promise<RunReport> {
  const started = Date.now();
  const ui = !flags.quiet && !flags.json;
  const say = (text: string) => ui && process.stderr.write(text + '\n');
  assertWritableDirectory(flags.out);
  if (flags.threads) setTorchThreads(flags.threads);
  const signal = interruptSignal();
  const dataset = await openDataset(flags.dataset, { split: flags.split as never });
  const fingerprint = datasetFingerprint(dataset);
  let extraDataset: ImageDataset | undefined;
  if (flags.extra > 0 && flags.extraFrom === 'test') extraDataset = await openDataset(flags.dataset, { split: 'test' });
  const manifest = makeSplits({
    n: dataset.images.shape[0],
    sizes: { shared: flags.shared, candidates: flags.candidates, independent: flags.independent },
    extra: flags.extra > 0 ? (extraDataset ? { dataset: { name: extraDataset.name, fingerprint: datasetFingerprint(extraDataset), n: extraDataset.images.shape[0] }, n: flags.extra } : { n: flags.extra }) : undefined,
    seed: flags.seed,
    datasetName: dataset.name,
    fingerprint,
  });
  say(`splits of ${dataset.name}: S_S ${manifest.sizes.shared}, S_C ${manifest.sizes.candidates}, S_I ${manifest.sizes.independent}, S_E ${manifest.sizes.extra}${extraDataset ? ` (from ${extraDataset.name})` : ''}`);

  const channels = dataset.images.shape[3];
  const trainPipeline = readPipelineOption(flags.trainPipeline) ?? (channels === 1 ? 'grayscale-28' : 'simclr-cifar');
  const trainOne = async (name: 'f' | 'g', indices: number[]): Promise<Encoder> => {
    const data = subset(dataset, indices);
    const bar = new ProgressBar(`training ${name} on ${indices.length} images`, flags.epochs, ui);
    const result = await train({
      images: data.images,
      encoder: { architecture: flags.architecture as never, width: flags.width },
      method: flags.method as never,
      methodOptions: flags.method === 'simclr' ? { temperature: flags.temperature } : undefined,
      pipeline: trainPipeline as never,
      epochs: flags.epochs,
      batchSize: Math.min(flags.trainBatchSize, indices.length),
      optimizer: { name: flags.optimizer as never, lr: flags.lr, weightDecay: flags.weightDecay },
      seed: flags.seed,
      threads: flags.threads,
      dataFingerprint: datasetFingerprint(data),
      onProgress: (p: { epoch?: number; epochs?: number; loss?: number }) => bar.update(p.epoch ?? 0, p.epochs ?? flags.epochs, p.loss !== undefined ? `loss ${p.loss.toFixed(3)}` : ''),
      signal,
    } as never);
    bar.finish();
    return result.encoder;
  };
  const trainStart = Date.now();
  const f = await trainOne('f', [...manifest.groups.shared, ...manifest.groups.candidates].sort((a, b) => a - b));
  const g = await trainOne('g', [...manifest.groups.shared, ...manifest.groups.independent].sort((a, b) => a - b));
  const trainSeconds = (Date.now() - trainStart) / 1000;
  // Encoders are saved next to the scores (each written atomically by Encoder.save).
  writeFilesAtomic(flags.out, { 'manifest.json': JSON.stringify(manifest, null, 2) + '\n' });
  await f.save(path.join(flags.out, 'encoder-f.sslmem'));
  await g.save(path.join(flags.out, 'encoder-g.sslmem'));

  const scoreStart = Date.now();
  const progress = scoreProgress('scoring', ui);
  const sharedSample = flags.sharedSample ?? Math.min(manifest.sizes.shared, Math.max(manifest.sizes.candidates, 1));
  const scored = await scoreManifest({ f, g, manifest, dataset, extraDataset, sharedSample, ...scoringOptions(flags), onProgress: progress.onProgress, signal });
  progress.finish();
  f.dispose();
  g.dispose();
  const scoreSeconds = (Date.now() - scoreStart) / 1000;
  const total = (Date.now() - started) / 1000;
  const seconds = { train: trainSeconds, score: scoreSeconds, total };
  const summary = finishScores(flags.out, scored.points, scored.run, flags, {}, { seconds });
  writeFilesAtomic(flags.out, { 'timing.json': JSON.stringify(seconds, null, 2) + '\n' });
  // The visual report (histograms, galleries, per-class bars, typicality under g) closes every run.
  const report = await writeReport(flags.out, { dataset, extraDataset });
  if (!flags.json) {
    process.stdout.write(`Report: ${report.html}\n`);
    process.stdout.write(`Wall time: ${formatSeconds(total)} (training ${formatSeconds(trainSeconds)}, scoring ${formatSeconds(scoreSeconds)}).\n`);
  }
  return { out: path.resolve(flags.out), manifest, summary, seconds };
}

/** `sslmem run`: splits, trains f and g, scores, writes everything. */
export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('the whole SSLMem experiment: deal S_S/S_C/S_I/S_E, train f on S_S+S_C and g on S_S+S_I, score, summarize');
  addRunOptions(cmd).action(async (raw: RunFlags) => {
    await runExperiment(applyConfig(cmd, raw));
  });
}
