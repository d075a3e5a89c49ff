/**
 * What the scoring commands (`run`, `score`, `demo`, `merge`) share: the scoring options, the
 * `--config file.json` merge, loading encoders, and printing/writing results.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { alignMetrics } from '../align/metrics';
import type { PipelineSpec } from '../augment/spec';
import { Encoder, Precision, precisions } from '../encoder';
import { ErrorCodes, outOfRange, SslmemError } from '../errors';
import { finalizeScores, PointScore, ScoreRunInfo, summaryText, writeScoreOutputs } from '../score';
import type { ScoreMode } from '../score';
import { assertOneOf } from '../validate';
import { flagParsers } from './parse';
import { ProgressBar } from './progress';

/** Options of the scoring step, as commander parses them. */
export interface ScoringFlags {
  mode: ScoreMode;
  views: number;
  metric: string;
  pipeline?: string;
  seed: number;
  batchSize: number;
  threads: number;
  precision: string;
  graph: boolean;
  targetSe?: number;
  maxViews?: number;
  viewStep: number;
  fdr: number;
  topK: number;
  json?: boolean;
  quiet?: boolean;
  config?: string;
}


/** Adds the scoring options (with defaults in the help) to a command. */
export function addScoringOptions(cmd: Command, defaults: { views?: number } = {}): Command {
  return cmd
    .addOption(new Option('--mode <mode>', "view pairing: 'anchor' = clean image vs each augmented view (the authors' code), 'pairs' = disjoint pairs of augmented views (the paper's formula)").choices(['anchor', 'pairs']).default('anchor'))
    .option('--views <n>', 'augmented views per point, in both modes (anchor: n pairs, each view against the clean image, n >= 2; pairs: floor(n/2) pairs, n >= 4)', flagParsers.integer('--views'), defaults.views ?? 16)
    .addOption(new Option('--metric <metric>', 'distance between two views\' representations').choices([...alignMetrics]).default('l2-normalized'))
    .option('--pipeline <name|file.json>', "scoring augmentation: a preset name or a PipelineSpec JSON file (default: 'sslmem-scoring')")
    .option('--seed <n>', 'seed of the scoring views (and of splits/training for run and demo)', flagParsers.integer('--seed'), 0)
    .option('--batch-size <n>', 'points per scoring batch (does not change the scores)', flagParsers.integer('--batch-size'), 64)
    .option('--threads <n>', 'threads for augmentation, alignment and libtorch (f and g side by side, each on half); 0 = all cores', flagParsers.integer('--threads'), 0)
    .addOption(new Option('--precision <p>', "forward passes in 'fp32', or 'bf16' (opt-in: fast on CPUs with AVX-512-BF16 or AMX; changes m by about 1e-3, docs/scoring-speed.md)").choices([...precisions]).default('fp32'))
    .option('--no-graph', "plain forward passes instead of the encoders' inference graphs (frozen, batch norm folded, oneDNN-prepacked); scores agree to float rounding")
    .option('--target-se <x>', 'adaptive precision: add views to a point until the standard error of m is below this', flagParsers.number('--target-se'))
    .option('--max-views <n>', 'adaptive precision: budget of augmented views per point (default 4x --views)', flagParsers.integer('--max-views'))
    .option('--view-step <n>', 'adaptive precision: augmented views added per round (anchor mode also renders the clean image each round)', flagParsers.integer('--view-step'), 16)
    .option('--fdr <q>', 'false discovery rate of the per-point tests (Benjamini-Hochberg within each group)', flagParsers.number('--fdr'), 0.05)
    .option('--top-k <n>', 'how many of the most memorized points the summary lists', flagParsers.integer('--top-k'), 20)
    .option('--config <file.json>', 'read options from a JSON file (keys as the long option names in camelCase, e.g. {"views": 32}); flags given on the command line win')
    .option('--json', 'print the summary as JSON on stdout (progress stays on stderr)')
    .option('--quiet', 'no progress output');
}

/**
 * Fills options from `--config file.json`: a key is taken from the file unless the flag was given on
 * the command line. Unknown keys are an error (a typo should not be silently ignored).
 */
export function applyConfig<T extends object>(cmd: Command, options: T): T {
  const file = (options as { config?: string }).config;
  if (!file) return options;
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new SslmemError(ErrorCodes.corruptFile, `Could not read the config file ${file}: ${(cause as Error).message}`, { cause });
  }
  const known = new Set(cmd.options.map((o) => o.attributeName()));
  const out = { ...options } as Record<string, unknown>;
  for (const [key, value] of Object.entries(config)) {
    if (!known.has(key)) throw outOfRange(`the keys of ${file}`, `option names of "${cmd.name()}" (${[...known].join(', ')})`, `"${key}"`, true);
    if (cmd.getOptionValueSource(key) !== 'cli') out[key] = value;
  }
  return out as T;
}

/** Reads a pipeline option: a preset name, or a JSON file holding a PipelineSpec. */
export function readPipelineOption(value: string | undefined): PipelineSpec | string | undefined {
  if (value === undefined) return undefined;
  if (value.endsWith('.json') || fs.existsSync(value)) {
    try {
      return JSON.parse(fs.readFileSync(value, 'utf8')) as PipelineSpec; // score() and train() validate the spec
    } catch (cause) {
      throw new SslmemError(ErrorCodes.corruptFile, `Could not read the pipeline file ${value}: ${(cause as Error).message}`, { cause });
    }
  }
  return value;
}

/** The score() options the flags describe. */
export function scoringOptions(flags: ScoringFlags) {
  const adaptive = flags.targetSe !== undefined ? { targetSe: flags.targetSe, maxViews: flags.maxViews ?? 4 * flags.views, step: flags.viewStep } : undefined;
  // commander checks --metric's choices; a --config file's value is checked here.
  assertOneOf('--metric', flags.metric, alignMetrics);
  assertOneOf('--precision', flags.precision, precisions);
  return {
    mode: flags.mode,
    views: flags.views,
    metric: flags.metric,
    pipeline: readPipelineOption(flags.pipeline),
    seed: flags.seed,
    batchSize: flags.batchSize,
    threads: flags.threads,
    precision: flags.precision as Precision,
    graph: flags.graph,
    adaptive,
  };
}

/**
 * Loads an encoder: an sslmem encoder file, or (when `inputShape` is given, e.g. "1,28,28") a
 * TorchScript module exported from PyTorch, with an optional normalization "mean;std" per channel.
 */
export async function loadEncoderOption(file: string, inputShape?: string, normalize?: string): Promise<Encoder> {
  if (!inputShape) return Encoder.load(file);
  const shape = inputShape.split(',').map(Number) as [number, number, number];
  let norm: { mean: number[]; std: number[] } | undefined;
  if (normalize) {
    const [mean, std] = normalize.split(';').map((part) => part.split(',').map(Number));
    norm = { mean, std };
  }
  return Encoder.loadTorchScript(file, { inputShape: shape, normalize: norm });
}

/** Finalizes scores, writes the output files and prints the summary (text or JSON). Returns the summary. */
export function finishScores(out: string, points: PointScore[], run: ScoreRunInfo, flags: { fdr: number; topK: number; json?: boolean }, extraFiles: Record<string, string> = {}, extraReport: Record<string, unknown> = {}, shownAs = out) {
  const result = finalizeScores(points, run, { fdr: flags.fdr, topK: flags.topK });
  const written = writeScoreOutputs(out, result, extraFiles);
  if (flags.json) {
    process.stdout.write(JSON.stringify({ ...extraReport, out: path.resolve(shownAs), files: written.map((f) => path.basename(f)), summary: result.summary }, null, 2) + '\n');
  } else {
    process.stdout.write('\n' + summaryText(result.summary));
    process.stdout.write(`\nFiles in ${path.resolve(shownAs)}: ${written.map((f) => path.basename(f)).join(', ')}\n`);
  }
  return result.summary;
}

/** A progress callback for score() drawing a bar. */
export function scoreProgress(label: string, enabled: boolean) {
  let bar: ProgressBar | undefined;
  return {
    onProgress: (p: { done: number; total: number; views: number }) => {
      bar ??= new ProgressBar(label, p.total, enabled);
      bar.update(p.done, p.total, `${p.views} views embedded`);
    },
    finish: () => bar?.finish(),
  };
}

/** An AbortSignal that fires on Ctrl-C (SIGINT), so long commands stop cleanly. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted (SIGINT)')));
  return controller.signal;
}
