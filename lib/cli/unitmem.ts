import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { datasetFingerprint, openDataset } from '../data';
import { gatherImages } from '../data/subset';
import { assertWritableDirectory } from '../io/atomic';
import { parseShard, partFileName, shardRange } from '../score/shard';
import { setTorchThreads } from '../system';
import { outOfRange } from '../errors';
import { DEFAULT_UNITMEM_VIEWS, unitMem, UnitMemRunInfo, writeUnitMemOutputs, writeUnitMemPart } from '../unitmem';
import { flagParsers } from './parse';
import { readPipelineOption, interruptSignal, loadEncoderOption, scoreProgress } from './score-common';
import { parseLayers } from './score';

interface UnitMemFlags {
  encoder: string;
  inputShape?: string;
  normalize?: string;
  dataset: string;
  split: 'train' | 'test';
  points?: number;
  layers: string;
  views: number;
  pipeline?: string;
  seed: number;
  batchSize: number;
  threads: number;
  shard?: string;
  out: string;
  json?: boolean;
  quiet?: boolean;
}

/** `sslmem unitmem`: per-unit memorization (UnitMem) of chosen layers of one encoder over a dataset's points. */
export function registerUnitMem(program: Command): void {
  program
    .command('unitmem')
    .description('UnitMem: how selectively each unit of the chosen layers responds to single points (mu_max, mu_-max, selectivity, the selected point); writes units.csv, units.jsonl and unitmem.json')
    .requiredOption('--encoder <file>', 'encoder (sslmem encoder file, or TorchScript with --input-shape)')
    .option('--input-shape <C,H,W>', 'the encoder is a TorchScript module taking this input, e.g. 1,28,28')
    .option('--normalize <mean;std>', 'TorchScript input normalization, per channel (default mean 0.5, std 0.5)')
    .requiredOption('--dataset <name|path>', 'the points (usually the encoder\'s training data)')
    .option('--split <split>', 'split of a named dataset', 'train')
    .option('--points <n>', 'use the first n points (default: all)', flagParsers.integer('--points'))
    .option('--layers <list|all>', 'layers to read, comma-separated, or "all" ("sslmem info --architectures" lists them)', 'all')
    .option('--views <n>', 'augmented views averaged per point', flagParsers.integer('--views'), DEFAULT_UNITMEM_VIEWS)
    .option('--pipeline <name|file.json>', "augmentation: a preset name or a PipelineSpec JSON file (default: 'sslmem-scoring')")
    .option('--seed <n>', 'seed of the view streams', flagParsers.integer('--seed'), 0)
    .option('--batch-size <n>', 'points per batch (does not change the result)', flagParsers.integer('--batch-size'), 64)
    .option('--threads <n>', 'threads for augmentation, the kernel and libtorch; 0 = all cores', flagParsers.integer('--threads'), 0)
    .option('--shard <i/n>', 'process only shard i of n (contiguous slice) and write unitmem-part-i-of-n.json into --out; combine with "sslmem merge"')
    .option('--out <dir>', 'output directory', 'sslmem-unitmem')
    .option('--json', 'print the summary as JSON on stdout (progress stays on stderr)')
    .option('--quiet', 'no progress output')
    .action(async (flags: UnitMemFlags) => {
      const started = Date.now();
      assertWritableDirectory(flags.out);
      if (flags.threads) setTorchThreads(flags.threads);
      const dataset = await openDataset(flags.dataset, { split: flags.split });
      const available = dataset.images.shape[0];
      const total = Math.min(flags.points ?? available, available);
      if (total < 2) throw outOfRange('--points', 'at least 2 points', total, true);
      const shard = flags.shard ? parseShard(flags.shard) : undefined;
      const { start, end } = shard ? shardRange(total, shard) : { start: 0, end: total };
      if (end <= start) throw outOfRange('--shard', 'a shard with at least one point', `an empty slice of ${total} points`, true);
      const rows = Array.from({ length: end - start }, (_, k) => start + k);
      const encoder = await loadEncoderOption(flags.encoder, flags.inputShape, flags.normalize);
      const progress = scoreProgress(shard ? `unitmem shard ${shard.index}/${shard.count}` : 'unitmem', !flags.quiet && !flags.json);
      const result = await unitMem({
        encoder,
        images: gatherImages(dataset.images, rows),
        itemIds: rows,
        layers: parseLayers(flags.layers) ?? 'all',
        views: flags.views,
        pipeline: readPipelineOption(flags.pipeline),
        seed: flags.seed,
        batchSize: flags.batchSize,
        threads: flags.threads,
        onProgress: (p) => progress.onProgress({ ...p, views: p.done * flags.views }),
        signal: interruptSignal(),
      });
      progress.finish();
      const d = encoder.description;
      encoder.dispose();
      const run: UnitMemRunInfo = {
        layers: result.layers,
        views: result.views,
        seed: result.seed,
        pipeline: result.pipeline,
        provenance: { encoder: { file: path.basename(flags.encoder), architecture: d.architecture, inputShape: d.inputShape, method: d.method ?? null, epoch: d.epoch }, dataset: { name: flags.dataset, split: flags.split, points: total, fingerprint: datasetFingerprint(dataset) } },
      };
      const seconds = (Date.now() - started) / 1000;
      if (shard) {
        const file = path.join(flags.out, `unitmem-${partFileName(shard)}`);
        fs.mkdirSync(flags.out, { recursive: true });
        writeUnitMemPart(file, { format: 'sslmem-unitmem-part/1', shard, total, run, states: result.states.map((s) => s.toJSON()) });
        process.stdout.write(flags.json ? JSON.stringify({ part: path.resolve(file), points: rows.length, total, seconds }, null, 2) + '\n' : `UnitMem of ${rows.length} of ${total} points in ${seconds.toFixed(1)} s: ${path.resolve(file)}\nMerge all parts with: sslmem merge ${path.join(flags.out, `unitmem-part-*-of-${shard.count}.json`)} --out DIR\n`);
        return;
      }
      const { files, summary } = writeUnitMemOutputs(flags.out, run, result.states);
      printUnitMemSummary(summary, files, flags.json);
    });
}

/** The end-of-run report of `unitmem` and of `merge` on UnitMem parts. */
export function printUnitMemSummary(summary: ReturnType<typeof writeUnitMemOutputs>['summary'], files: string[], json?: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify({ files: files.map((f) => path.resolve(f)), summary }, null, 2) + '\n');
    return;
  }
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '-');
  const lines = [`UnitMem over ${summary.points} points, ${summary.run.views} views each:`, 'layer           units  mean sel.  median  q95     constant'];
  for (const l of summary.layers) lines.push(`${l.layer.padEnd(15)} ${String(l.units).padStart(5)}  ${f(l.selectivity.mean).padStart(9)}  ${f(l.selectivity.median).padStart(6)}  ${f(l.selectivity.q95).padStart(6)}  ${String(l.constantUnits).padStart(8)}`);
  if (summary.topPoints.length) lines.push(`Points most units select: ${summary.topPoints.slice(0, 8).map((p) => `#${p.point} (${p.units})`).join(', ')}`);
  lines.push(`Files: ${files.map((file) => path.resolve(file)).join(', ')}`);
  process.stdout.write(lines.join('\n') + '\n');
}
