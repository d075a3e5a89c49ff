/**
 * Shared helpers of the torch-tier tests: the Fashion-MNIST fixture (first 1,000 training images;
 * read from test/fixtures when the data capability has shipped it, otherwise from Debian's
 * dataset-fashion-mnist files), the Python oracle runner and seeded inputs.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { ImageDataset } from '../../lib/data/types';
import { Encoder, knnAccuracy, train } from '../../lib';
import type { ArchitectureSettings, MethodOptions, MultiCropPresetName } from '../../lib';
import { mulberry32 } from '../support/mulberry32';

export const pythonOracle = '/usr/bin/python3';
export const oracleDir = path.resolve(__dirname, '..', '..', '..', 'test', 'oracles');

/** Runs a committed oracle script with JSON on stdin; returns its parsed JSON stdout. */
export function runOracle<T>(script: string, input: unknown, args: string[] = []): T {
  return runPython<T>(script, [path.join(oracleDir, script), ...args], input);
}

/**
 * Runs oracle code given inline (a method's test keeps its paper-pseudocode oracle beside it),
 * with JSON on stdin; returns its parsed JSON stdout.
 */
export function runOracleCode<T>(code: string, input: unknown): T {
  return runPython<T>('inline oracle', ['-c', code], input);
}

function runPython<T>(script: string, args: string[], input: unknown): T {
  const result = spawnSync(pythonOracle, args, {
    input: input === undefined ? '' : JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0) throw new Error(`oracle ${script} failed: ${result.stderr}`);
  return (result.stdout.trim() ? JSON.parse(result.stdout) : undefined) as T;
}

function readIdx(file: string, limit: number): { dims: number[]; data: Uint8Array } {
  const raw = zlib.gunzipSync(fs.readFileSync(file));
  const rank = raw[3];
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(raw.readUInt32BE(4 + 4 * i));
  dims[0] = Math.min(dims[0], limit);
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * rank;
  return { dims, data: new Uint8Array(raw.subarray(offset, offset + count)) };
}

/** Fashion-MNIST images [N, 28, 28, 1] and labels: split 'train' (first `limit`) or 'test'. */
export function fashionMnist(split: 'train' | 'test', limit: number): ImageDataset {
  const fixture = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'fashion-mnist');
  const debian = '/usr/share/datasets/fashion-mnist';
  let images: string;
  let labels: string;
  if (split === 'train' && limit <= 1000 && fs.existsSync(path.join(fixture, 'train-1000-images-idx3-ubyte.gz'))) {
    images = path.join(fixture, 'train-1000-images-idx3-ubyte.gz');
    labels = path.join(fixture, 'train-1000-labels-idx1-ubyte.gz');
  } else {
    const prefix = split === 'train' ? 'train' : 't10k';
    images = path.join(debian, `${prefix}-images-idx3-ubyte.gz`);
    labels = path.join(debian, `${prefix}-labels-idx1-ubyte.gz`);
  }
  const img = readIdx(images, limit);
  const lab = readIdx(labels, limit);
  return {
    name: `fashion-mnist/${split}`,
    images: { data: img.data, shape: [img.dims[0], 28, 28, 1] },
    labels: Int32Array.from(lab.data),
    classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  };
}

/** Deterministic uniform numbers in [-1, 1) (mulberry32), rounded to float32. */
export function seededFloats(count: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = random() * 2 - 1;
  return out;
}

/** Rows of a [n, d] Float32Array as number[][] (for JSON). */
export function rows(data: Float32Array, n: number, d: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * d, (i + 1) * d)));
}

/** Largest absolute difference between two arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/**
 * kNN accuracy (k = 200, cosine, T = 0.1; 500 held-out test images) of an encoder trained by
 * `method` on the 1,000-image Fashion-MNIST fixture with the augmentation kernel (small-cnn at
 * width 0.25 unless `encoder` says otherwise, 'grayscale-28' unless `augmentation` says otherwise,
 * batch 100, Adam, 1 thread), next to that of the same encoder untrained: the
 * issue-13 check that every method learns something. The caller asserts the margin.
 */
export async function knnAgainstRandom(
  method: string,
  methodOptions: MethodOptions,
  settings: { epochs: number; lr: number },
  encoder: { architecture: string; width?: number; settings?: ArchitectureSettings } = { architecture: 'small-cnn', width: 0.25 },
  augmentation: { pipeline: string } | { multiCrop: MultiCropPresetName } = { pipeline: 'grayscale-28' },
): Promise<{ trained: number; random: number; losses: number[] }> {
  const data = fashionMnist('train', 1000);
  const held = fashionMnist('test', 500);
  const result = await train({
    images: data.images,
    encoder,
    method,
    methodOptions,
    ...augmentation,
    epochs: settings.epochs,
    warmupEpochs: 1,
    batchSize: 100,
    optimizer: { name: 'adam', lr: settings.lr, weightDecay: 1e-6, betas: [0.9, 0.999] },
    seed: 7,
    threads: 1,
  });
  const random = Encoder.create({ ...encoder, inputShape: [1, 28, 28], seed: 7, normalize: { mean: [0], std: [1] } });
  const knn = async (encoder: Encoder) =>
    knnAccuracy({ features: await encoder.embed(data.images), labels: data.labels }, { features: await encoder.embed(held.images), labels: held.labels });
  const out = { trained: await knn(result.encoder), random: await knn(random), losses: result.history.map((h) => h.loss) };
  random.dispose();
  result.encoder.dispose();
  return out;
}
