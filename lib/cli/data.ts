import { Command, Option } from 'commander';
import { flagParsers } from './parse';
import { DATASET_FORMATS, DATASET_NAMES, datasetFingerprint, DatasetFormat, ImageDataset, openDataset } from '../data';

/** What `sslmem data info` reports about a dataset. */
export interface DatasetSummary {
  name: string;
  count: number;
  /** [N, H, W, C] */
  shape: number[];
  classes: { label: number; name: string; count: number }[];
  fingerprint: string;
}

/** Image count, shape, per-class counts and fingerprint of a dataset. */
export function summarizeDataset(dataset: ImageDataset): DatasetSummary {
  const counts = new Array<number>(dataset.classes.length).fill(0);
  for (const label of dataset.labels) counts[label]++;
  return {
    name: dataset.name,
    count: dataset.images.shape[0],
    shape: [...dataset.images.shape],
    classes: dataset.classes.map((name, label) => ({ label, name, count: counts[label] })),
    fingerprint: datasetFingerprint(dataset),
  };
}

function formatSummary(s: DatasetSummary): string {
  const width = Math.max(...s.classes.map((c) => c.name.length), 5);
  const lines = [
    `dataset:     ${s.name}`,
    `images:      ${s.count} of ${s.shape.slice(1).join('x')} (N, H, W, C = ${s.shape.join(', ')})`,
    `fingerprint: ${s.fingerprint}`,
    `per class:`,
    ...s.classes.map((c) => `  ${String(c.label).padStart(3)}  ${c.name.padEnd(width)}  ${c.count}`),
  ];
  return lines.join('\n') + '\n';
}

/** Image-folder decoding progress on one terminal line. */
function showProgress({ done, total }: { done: number; total: number }): void {
  process.stderr.write(`\rdecoding images: ${done}/${total}${done === total ? '\n' : ''}`);
}

/** `sslmem data info <name|path>`: N, shape, per-class counts and fingerprint of a dataset. */
export function registerData(program: Command): void {
  const data = program.command('data').description('inspect datasets');
  data
    .command('info')
    .description(`show image count, shape, per-class counts and fingerprint of a dataset (a name: ${DATASET_NAMES.join(', ')}; or a path)`)
    .argument('<source>', 'dataset name or path (IDX files, CIFAR batches, .npy, or a class-per-folder tree)')
    .addOption(new Option('--split <split>', 'split of a named dataset or IDX/CIFAR folder').choices(['train', 'test']).default('train'))
    .addOption(new Option('--format <format>', 'file format (default: guessed from the path)').choices([...DATASET_FORMATS]))
    .option('--labels <path>', 'labels file (.npy images need one; IDX default: beside the images)')
    .option('--size <pixels>', 'image folders: resize to this square size', flagParsers.integer('--size', { min: 1 }))
    .addOption(new Option('--channels <n>', 'image folders: output channels').choices(['1', '3']))
    .option('--json', 'print JSON for machines')
    .action(async (source: string, options: { split: 'train' | 'test'; format?: DatasetFormat; labels?: string; size?: number; channels?: string; json?: boolean }) => {
      const dataset = await openDataset(source, {
        split: options.split,
        format: options.format,
        labels: options.labels,
        size: options.size,
        channels: options.channels === undefined ? undefined : (Number(options.channels) as 1 | 3),
        onProgress: process.stderr.isTTY ? showProgress : undefined,
      });
      const summary = summarizeDataset(dataset);
      process.stdout.write(options.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
    });
}
