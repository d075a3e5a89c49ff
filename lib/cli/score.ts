import * as path from 'node:path';
import { Command } from 'commander';
import { openDataset } from '../data';
import type { DatasetSplit } from '../data';
import { assertWritableDirectory, makeDirectory } from '../io/atomic';
import { StagedDirectory } from '../io/staged';
import { parseShard, partFileName, readManifest, SPLIT_GROUPS, SplitGroup, writePart } from '../score';
import { fileFingerprint, fingerprintOf } from '../design/resume';
import { removeSegments, scoreManifestInSegments } from '../design/segments';
import { setTorchThreads } from '../system';
import { outOfRange } from '../errors';
import { assertOneOf } from '../validate';
import { flagParsers } from './parse';
import { addScoringOptions, applyConfig, finishScores, interruptSignal, loadEncoderOption, scoreProgress, ScoringFlags, scoringOptions } from './score-common';

interface ScoreFlags extends ScoringFlags {
  f: string;
  g: string;
  inputShape?: string;
  normalize?: string;
  manifest: string;
  dataset?: string;
  split: string;
  extraDataset?: string;
  extraSplit: string;
  groups: string;
  sharedSample?: number;
  shard?: string;
  layers?: string;
  out: string;
  resume?: boolean;
  segmentPoints: number;
}

/** `sslmem score`: scores the points of a manifest with existing encoders f and g. */
export function registerScore(program: Command): void {
  const cmd = program
    .command('score')
    .description('score memorization m = L(g) - L(f) of the points in a split manifest with existing encoders (sslmem files or TorchScript)')
    .requiredOption('--f <file>', 'encoder trained WITH the candidates (sslmem encoder file, or TorchScript with --input-shape)')
    .requiredOption('--g <file>', 'encoder trained WITHOUT them (same kind as --f)')
    .option('--input-shape <C,H,W>', 'the encoders are TorchScript modules taking this input, e.g. 1,28,28')
    .option('--normalize <mean;std>', 'TorchScript input normalization, per channel, e.g. "0.5;0.5" (default mean 0.5, std 0.5)')
    .requiredOption('--manifest <file>', 'split manifest (written by "sslmem run" or makeSplits)')
    .option('--dataset <name|path>', "dataset the manifest indexes (default: the manifest's dataset name)")
    .option('--split <split>', 'split of a named dataset', 'train')
    .option('--extra-dataset <name|path>', "dataset S_E indexes when the manifest says it is another one (default: the manifest's extra dataset name)")
    .option('--extra-split <split>', 'split of the extra dataset', 'test')
    .option('--groups <list>', `groups to score, comma-separated from ${SPLIT_GROUPS.join(',')}`, SPLIT_GROUPS.join(','))
    .option('--shared-sample <n>', 'score a seeded sample of this many S_S points (default: all)', flagParsers.integer('--shared-sample'))
    .option('--layers <list|all>', 'LayerMem: also score these layers of the encoders (comma-separated, or "all"; "sslmem info --architectures" lists them), writing layers.csv (one column set per layer) and layers.json')
    .option('--shard <i/n>', 'score only shard i of n (contiguous slice) and write part-i-of-n.json into --out; combine with "sslmem merge"')
    .option('--out <dir>', 'output directory', 'sslmem-scores')
    .option('--resume', 'continue an interrupted score into the same --out with the same flags: the segments of points it finished are reused (checked by a fingerprint of the encoder files, manifest and options)')
    .option('--segment-points <n>', 'points per durable segment: a crash loses at most this many points\' work (does not change the scores)', flagParsers.integer('--segment-points'), 512);
  addScoringOptions(cmd).action(async (raw: ScoreFlags) => {
    const flags = applyConfig(cmd, raw);
    const started = Date.now();
    // Without --shard the four files appear together: written into .OUT.partial, renamed onto --out in one step.
    const staged = flags.shard ? undefined : StagedDirectory.open(flags.out, { resume: flags.resume === true });
    if (flags.shard) assertWritableDirectory(flags.out);
    if (flags.threads) setTorchThreads(flags.threads);
    const groups = flags.groups.split(',').map((g) => g.trim()) as SplitGroup[];
    for (const g of groups) if (!SPLIT_GROUPS.includes(g)) throw outOfRange('--groups', `names from ${SPLIT_GROUPS.join(', ')}`, g, true);
    const manifest = readManifest(flags.manifest);
    const split = splitNamed('--split', flags.dataset ? flags.split : splitOf(manifest.dataset.name, flags.split));
    const dataset = await openDataset(flags.dataset ?? datasetNameOf(manifest.dataset.name), { split });
    const extra = manifest.extraDataset;
    const extraDataset = extra && groups.includes('extra')
      ? await openDataset(flags.extraDataset ?? datasetNameOf(extra.name), { split: splitNamed('--extra-split', flags.extraDataset ? flags.extraSplit : splitOf(extra.name, flags.extraSplit)) })
      : undefined;
    const f = await loadEncoderOption(flags.f, flags.inputShape, flags.normalize);
    const g = await loadEncoderOption(flags.g, flags.inputShape, flags.normalize);
    const shard = flags.shard ? parseShard(flags.shard) : undefined;
    const progress = scoreProgress(shard ? `scoring shard ${shard.index}/${shard.count}` : 'scoring', !flags.quiet && !flags.json);
    const layers = parseLayers(flags.layers);
    const scoring = scoringOptions(flags);
    // Finished segments are kept beside the output being written (the staging folder, or next to the part file).
    const segments = shard ? path.join(flags.out, `.${partFileName(shard)}.segments`) : path.join(staged!.dir, '.segments');
    const { batchSize: _batchSize, threads: _threads, ...scoresDependOn } = scoring;
    const fingerprint = fingerprintOf('score-command', {
      f: fileFingerprint(flags.f),
      g: fileFingerprint(flags.g),
      inputShape: flags.inputShape ?? null,
      normalize: flags.normalize ?? null,
      manifest,
      groups,
      sharedSample: flags.sharedSample ?? null,
      shard: shard ?? null,
      layers: layers ?? null,
      scoring: scoresDependOn,
    });
    const scored = await scoreManifestInSegments(
      { f, g, manifest, dataset, extraDataset, groups, sharedSample: flags.sharedSample, shard, layers, ...scoring, onProgress: progress.onProgress, signal: interruptSignal() },
      { dir: segments, fingerprint, resume: flags.resume === true, segmentPoints: flags.segmentPoints },
    );
    progress.finish();
    f.dispose();
    g.dispose();
    const seconds = (Date.now() - started) / 1000;
    if (shard) {
      const file = path.join(flags.out, partFileName(shard));
      makeDirectory(flags.out);
      writePart(file, { format: 'sslmem-scores-part/1', shard, total: scored.total, run: scored.run, points: scored.points });
      removeSegments(segments);
      const report = { part: path.resolve(file), points: scored.points.length, total: scored.total, seconds };
      process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : `Scored ${scored.points.length} of ${scored.total} points in ${seconds.toFixed(1)} s: ${report.part}\nMerge all parts with: sslmem merge ${path.join(flags.out, 'part-*-of-' + shard.count + '.json')} --out DIR\n`);
      return;
    }
    removeSegments(segments);
    finishScores(staged!.dir, scored.points, scored.run, flags, {}, { seconds }, flags.out);
    staged!.commit({ command: 'score', argv: process.argv.slice(2) });
    if (!flags.json) process.stdout.write(`Scored ${scored.points.length} points in ${seconds.toFixed(1)} s.\n`);
  });
}

/** `--layers`: "all" or a comma-separated list of layer names (checked against the encoders by scoring). */
export function parseLayers(value: string | undefined): string[] | 'all' | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === 'all') return 'all';
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw outOfRange('--layers', 'layer names separated by commas, or "all"', JSON.stringify(value), true);
  return names;
}

/** "fashion-mnist/train" -> "fashion-mnist"; a path stays a path. */
export function datasetNameOf(name: string): string {
  const match = /^([a-z0-9-]+)\/(train|test)$/.exec(name);
  return match ? match[1] : name;
}

/** A split name from a flag or a manifest's dataset name, checked. */
function splitNamed(flag: string, value: string): DatasetSplit {
  assertOneOf(flag, value, DATASET_SPLITS);
  return value;
}

const DATASET_SPLITS: readonly DatasetSplit[] = ['train', 'test'];

/** "fashion-mnist/test" -> "test", else the fallback. */
export function splitOf(name: string, fallback: string): string {
  const match = /^([a-z0-9-]+)\/(train|test)$/.exec(name);
  return match ? match[2] : fallback;
}
