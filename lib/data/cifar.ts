/**
 * CIFAR-10 and CIFAR-100 "binary version" batches (Krizhevsky 2009,
 * https://www.cs.toronto.edu/~kriz/cifar.html). Each record is its label byte(s) then 3,072 pixel
 * bytes in CHW order (1,024 red, 1,024 green, 1,024 blue, rows top to bottom): CIFAR-10 has one
 * label byte, CIFAR-100 a coarse then a fine label byte. sslmem converts them to NHWC.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { assertOneOf, assertOptions, assertString } from '../validate';
import { corruptFile, fileNotFound, readDataFiles } from './files';
import { assertLabelsHaveClasses } from './pair';
import type { ImageDataset } from './types';

/** The two CIFAR binary formats. */
export type CifarFormat = 'cifar-10' | 'cifar-100';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;

interface FormatInfo {
  labelBytes: number;
  classes: { fine: number; coarse: number };
  namesFile: { fine: string; coarse: string };
  batches: { train: RegExp; test: RegExp };
}

const FORMATS: Record<CifarFormat, FormatInfo> = {
  'cifar-10': {
    labelBytes: 1,
    classes: { fine: 10, coarse: 10 },
    namesFile: { fine: 'batches.meta.txt', coarse: 'batches.meta.txt' },
    batches: { train: /^data_batch_(\d+)\.bin$/, test: /^test_batch\.bin$/ },
  },
  'cifar-100': {
    labelBytes: 2,
    classes: { fine: 100, coarse: 20 },
    namesFile: { fine: 'fine_label_names.txt', coarse: 'coarse_label_names.txt' },
    batches: { train: /^train\.bin$/, test: /^test\.bin$/ },
  },
};

/** Options of {@link loadCifar}. */
export interface LoadCifarOptions {
  /** 'cifar-10' (1 label byte) or 'cifar-100' (coarse, fine label bytes). Default: 'cifar-100' when
   *  the files are named train.bin / test.bin (or a directory holds them), else 'cifar-10'. */
  format?: CifarFormat;
  /** Which batches of a directory to read: 'train' (data_batch_*.bin, or train.bin) or 'test'
   *  (test_batch.bin, or test.bin). Default 'train'. Ignored for a list of files. */
  split?: 'train' | 'test';
  /** CIFAR-100 only: label by the 100 'fine' classes or the 20 'coarse' superclasses. Default 'fine'. */
  label?: 'fine' | 'coarse';
  /** Dataset name; default "DIRECTORY/SPLIT" for a directory, else the file paths. */
  name?: string;
}

/**
 * Loads CIFAR binary batches: a directory (the extracted `cifar-10-batches-bin` or `cifar-100-binary`)
 * or a list of batch files, concatenated in the given order (directory batches in numeric order).
 * Images are [N, 32, 32, 3] uint8 NHWC. Class names come from `batches.meta.txt`,
 * `fine_label_names.txt` or `coarse_label_names.txt` beside the batches when present, else "0", "1", ...
 * @throws SslmemError ERR_SSLMEM_FILE_NOT_FOUND for a missing file or a directory without batches;
 *   ERR_SSLMEM_CORRUPT_FILE for an empty file, a length that is not a whole number of records, or a
 *   class-name file with the wrong number of names; ERR_SSLMEM_MISMATCH for a label out of range.
 */
export async function loadCifar(source: string | string[], options: LoadCifarOptions = {}): Promise<ImageDataset> {
  assertOptions('options', options);
  const split = options.split ?? 'train';
  assertOneOf('options.split', split, ['train', 'test'] as const);
  const label = options.label ?? 'fine';
  assertOneOf('options.label', label, ['fine', 'coarse'] as const);
  if (options.format !== undefined) assertOneOf('options.format', options.format, ['cifar-10', 'cifar-100'] as const);

  const { files, directory, format, fromDirectory } = await resolveBatches(source, split, options.format);
  const info = FORMATS[format];
  const recordLength = info.labelBytes + PIXELS;
  const contents = await readDataFiles(files.map((file) => ({ file, what: `${format} binary batches` })));
  let n = 0;
  contents.forEach((bytes, i) => {
    if (bytes.length % recordLength !== 0) {
      throw corruptFile(
        files[i],
        `a whole number of ${format} records of ${recordLength} bytes (${info.labelBytes} label byte${info.labelBytes > 1 ? 's' : ''} + 3072 pixels)`,
        `${bytes.length} bytes (${Math.floor(bytes.length / recordLength)} records and ${bytes.length % recordLength} bytes left over)`,
      );
    }
    n += bytes.length / recordLength;
  });

  const images = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  // CIFAR-100 stores the coarse label first, then the fine one.
  const labelOffset = format === 'cifar-100' && label === 'fine' ? 1 : 0;
  let item = 0;
  for (const bytes of contents) {
    for (let record = 0; record < bytes.length; record += recordLength, item++) {
      labels[item] = bytes[record + labelOffset];
      chwToHwc(bytes, record + info.labelBytes, images, item * PIXELS);
    }
  }

  const classCount = format === 'cifar-100' ? info.classes[label] : info.classes.fine;
  const namesFile = path.join(directory, info.namesFile[label]);
  const classes = (await readClassNames(namesFile, classCount)) ?? Array.from({ length: classCount }, (_, i) => String(i));
  assertLabelsHaveClasses(labels, classes, files.join(', '));
  const name = options.name ?? (fromDirectory ? `${directory}/${split}` : files.join(', '));
  return { name, images: { data: images, shape: [n, SIDE, SIDE, 3] }, labels, classes };
}

/** Copies one 3x32x32 CHW record into 32x32x3 HWC. */
function chwToHwc(source: Uint8Array, from: number, target: Uint8Array, to: number): void {
  for (let p = 0; p < PLANE; p++) {
    target[to + 3 * p] = source[from + p];
    target[to + 3 * p + 1] = source[from + PLANE + p];
    target[to + 3 * p + 2] = source[from + 2 * PLANE + p];
  }
}

async function resolveBatches(
  source: string | string[],
  split: 'train' | 'test',
  format: CifarFormat | undefined,
): Promise<{ files: string[]; directory: string; format: CifarFormat; fromDirectory: boolean }> {
  if (Array.isArray(source)) {
    if (source.length === 0) throw new RangeError('Expected at least one CIFAR batch file for source but received an empty array');
    source.forEach((file, i) => assertString(`source[${i}]`, file, { nonEmpty: true }));
    const named100 = source.every((file) => /^(train|test)\.bin$/.test(path.basename(file)));
    return { files: source, directory: path.dirname(source[0]), format: format ?? (named100 ? 'cifar-100' : 'cifar-10'), fromDirectory: false };
  }
  assertString('source', source, { nonEmpty: true });
  let stat;
  try {
    stat = await fs.stat(source);
  } catch (error) {
    throw fileNotFound(source, 'a CIFAR batch file or a directory of batches', undefined, error);
  }
  if (!stat.isDirectory()) {
    const named100 = /^(train|test)\.bin$/.test(path.basename(source));
    return { files: [source], directory: path.dirname(source), format: format ?? (named100 ? 'cifar-100' : 'cifar-10'), fromDirectory: false };
  }
  const entries = await fs.readdir(source);
  const resolved = format ?? (entries.some((e) => FORMATS['cifar-100'].batches[split].test(e)) ? 'cifar-100' : 'cifar-10');
  const pattern = FORMATS[resolved].batches[split];
  const batches = entries
    .filter((e) => pattern.test(e))
    .sort((a, b) => Number(pattern.exec(a)?.[1] ?? 0) - Number(pattern.exec(b)?.[1] ?? 0));
  if (batches.length === 0) {
    const expected = resolved === 'cifar-10' ? (split === 'train' ? 'data_batch_1.bin ...' : 'test_batch.bin') : `${split}.bin`;
    throw fileNotFound(path.join(source, expected), `${resolved} ${split} batches`);
  }
  return { files: batches.map((b) => path.join(source, b)), directory: source, format: resolved, fromDirectory: true };
}

/** Class names, one a line (blank lines skipped), or undefined when the file does not exist. */
async function readClassNames(file: string, count: number): Promise<string[] | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const names = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  if (names.length !== count) throw corruptFile(file, `${count} class names, one a line`, `${names.length}`);
  return names;
}
