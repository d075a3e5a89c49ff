import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { assertOneOf, assertOptions, assertString } from '../validate';
import { CifarFormat, loadCifar } from './cifar';
import { fileNotFound } from './files';
import { loadImageFolder } from './folder';
import { loadIdx } from './idx';
import { loadNpyDataset } from './npy';
import { DATASET_NAMES, DatasetName, DatasetSplit, loadDataset } from './sources';
import type { ImageDataset } from './types';

/** File formats {@link openDataset} reads. */
export const DATASET_FORMATS = ['idx', 'cifar-10', 'cifar-100', 'npy', 'folder'] as const;
/** A file format {@link openDataset} reads. */
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Options of {@link openDataset}. */
export interface OpenDatasetOptions {
  /** For names and folders of split files: 'train' (default) or 'test'. */
  split?: DatasetSplit;
  /** The format; default guessed from the path (see {@link openDataset}). */
  format?: DatasetFormat;
  /** Labels file for an .npy images file (required) or an IDX images file (default: the images
   *  path with "images-idx3" replaced by "labels-idx1"). */
  labels?: string;
  /** Image folders only: resize to this size (see loadImageFolder). */
  size?: number | [number, number];
  /** Image folders only: 1 or 3 output channels. */
  channels?: 1 | 3;
  /** Image folders only: called after each decoded image. */
  onProgress?: (progress: { done: number; total: number }) => void;
  /** Image folders only: stops loading between images. */
  signal?: AbortSignal;
}

const IDX_IMAGES = /images-idx3-ubyte(\.gz)?$/;

/**
 * Loads a dataset given by a name (see {@link loadDataset}) or a path, guessing the format from it
 * unless `options.format` says: `*images-idx3-ubyte[.gz]` files are IDX (labels beside them);
 * `*.npy` images need `options.labels`; `*.bin` files are CIFAR; a folder is IDX when it holds
 * `{train|t10k|test}-images-idx3-ubyte[.gz]` for the split, CIFAR when it holds CIFAR batches, and
 * otherwise a class-per-folder image tree. Used by the CLI commands that take a dataset argument.
 * @throws SslmemError ERR_SSLMEM_FILE_NOT_FOUND for a path that does not exist and is not a name.
 */
export async function openDataset(source: string, options: OpenDatasetOptions = {}): Promise<ImageDataset> {
  assertString('source', source, { nonEmpty: true });
  assertOptions('options', options);
  const split = options.split ?? 'train';
  assertOneOf('options.split', split, ['train', 'test'] as const);
  if (options.format !== undefined) assertOneOf('options.format', options.format, DATASET_FORMATS);
  if ((DATASET_NAMES as readonly string[]).includes(source)) return loadDataset(source as DatasetName, split);

  let stat;
  try {
    stat = await fs.stat(source);
  } catch (error) {
    throw fileNotFound(source, `a dataset file or folder (or a name: ${DATASET_NAMES.join(', ')})`, undefined, error);
  }
  const format = options.format ?? (stat.isDirectory() ? await guessFolderFormat(source, split) : guessFileFormat(source));
  switch (format) {
    case 'idx': {
      const images = stat.isDirectory() ? await idxImagesIn(source, split) : source;
      const labels = options.labels ?? images.replace(/images-idx3/, 'labels-idx1');
      if (labels === images) throw new TypeError(`Expected options.labels (the IDX labels file) for ${images} but received undefined`);
      return loadIdx(images, labels);
    }
    case 'npy':
      if (options.labels === undefined) throw new TypeError(`Expected options.labels (a labels .npy file) for ${source} but received undefined`);
      return loadNpyDataset(source, options.labels);
    case 'cifar-10':
    case 'cifar-100':
      return loadCifar(source, { format: format as CifarFormat, split });
    case 'folder':
      return loadImageFolder(source, { size: options.size, channels: options.channels, onProgress: options.onProgress, signal: options.signal });
  }
}

function guessFileFormat(file: string): DatasetFormat {
  if (/\.npy(\.gz)?$/.test(file)) return 'npy';
  if (/\.bin(\.gz)?$/.test(file)) return /^(train|test)\.bin/.test(path.basename(file)) ? 'cifar-100' : 'cifar-10';
  return 'idx';
}

async function guessFolderFormat(folder: string, split: DatasetSplit): Promise<DatasetFormat> {
  const entries = await fs.readdir(folder);
  if (entries.some((e) => IDX_IMAGES.test(e))) return 'idx';
  if (entries.some((e) => /^(data_batch_\d+|test_batch)\.bin$/.test(e))) return 'cifar-10';
  if (entries.includes(`${split}.bin`)) return 'cifar-100';
  return 'folder';
}

async function idxImagesIn(folder: string, split: DatasetSplit): Promise<string> {
  const prefixes = split === 'train' ? ['train'] : ['t10k', 'test'];
  const entries = (await fs.readdir(folder)).sort();
  const found = entries.find((e) => IDX_IMAGES.test(e) && prefixes.some((p) => e.startsWith(`${p}-`)));
  if (!found) throw fileNotFound(path.join(folder, `${prefixes[0]}-images-idx3-ubyte.gz`), `the ${split} IDX images file`);
  return path.join(folder, found);
}
