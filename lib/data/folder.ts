/**
 * Class-per-folder image trees, as torchvision's `ImageFolder` reads them: `root/CLASS/IMAGE`, one
 * sub-folder per class, classes sorted by name and numbered from 0, images sorted by name inside
 * each class. Images (PNG, JPEG, or anything else sharp decodes) are decoded with sharp (libvips)
 * on its own thread pool, so the event loop stays free.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { abortError, ErrorCodes, outOfRange, SslmemError } from '../errors';
import { assertAbortSignal, assertFunction, assertInteger, assertOptions, assertString } from '../validate';
import { corruptFile, fileNotFound, mapWithLimit } from './files';
import type { ImageDataset } from './types';

/** Options of {@link loadImageFolder}. */
export interface LoadImageFolderOptions {
  /** Resize every image to this size (a number for square, or [height, width]), stretching it
   *  (sharp `fit: 'fill'`, Lanczos-3, like torchvision `Resize((h, w))` up to the kernel). Default:
   *  no resize, and then every image must have the same size. */
  size?: number | [number, number];
  /** Output channels: 1 (libvips' b-w conversion) or 3 (sRGB). Alpha is dropped, not blended.
   *  Default: 3 if any image has colour, else 1. */
  channels?: 1 | 3;
  /** Dataset name; default the root path. */
  name?: string;
  /** Called after each decoded image. */
  onProgress?: (progress: { done: number; total: number }) => void;
  /** Stops loading between images with an AbortError. */
  signal?: AbortSignal;
}

interface Entry {
  file: string;
  label: number;
  width: number;
  height: number;
  colour: boolean;
}

/**
 * Loads a class-per-folder tree into uint8 NHWC images with labels = class index (classes sorted by
 * folder name). Hidden files and folders (names starting with ".") and plain files directly under
 * `root` are skipped (torchvision would take a hidden folder as a class); every other file inside a
 * class folder must be a decodable image.
 * @param root the folder holding one sub-folder per class.
 * @throws SslmemError ERR_SSLMEM_FILE_NOT_FOUND when root is missing; ERR_SSLMEM_CORRUPT_FILE when
 *   it has no class folder, a class folder has no image, or a file is not an image sharp decodes;
 *   ERR_SSLMEM_MISMATCH when images differ in size and no `size` is given.
 */
export async function loadImageFolder(root: string, options: LoadImageFolderOptions = {}): Promise<ImageDataset> {
  assertString('root', root, { nonEmpty: true });
  assertOptions('options', options);
  const size = resolveSize(options.size);
  if (options.channels !== undefined && options.channels !== 1 && options.channels !== 3) {
    throw outOfRange('options.channels', '1 or 3', options.channels);
  }
  if (options.onProgress !== undefined) assertFunction('options.onProgress', options.onProgress);
  if (options.signal !== undefined) assertAbortSignal('options.signal', options.signal);
  const signal = options.signal;

  const { classes, files } = await listTree(root);
  const concurrency = Math.max(1, Math.min(8, os.availableParallelism()));
  const entries = await mapWithLimit(files, concurrency, async ({ file, label }) => {
    if (signal?.aborted) throw abortError(signal.reason);
    return { file, label, ...(await probe(file)) };
  });

  const [height, width] = size ?? commonSize(entries);
  const channels = options.channels ?? (entries.some((e) => e.colour) ? 3 : 1);
  const pixels = height * width * channels;
  const images = new Uint8Array(entries.length * pixels);
  let done = 0;
  await mapWithLimit(entries, concurrency, async (entry, i) => {
    if (signal?.aborted) throw abortError(signal.reason);
    images.set(await decode(entry.file, width, height, channels, size !== undefined), i * pixels);
    options.onProgress?.({ done: ++done, total: entries.length });
  });
  return {
    name: options.name ?? root,
    images: { data: images, shape: [entries.length, height, width, channels] },
    labels: Int32Array.from(entries, (e) => e.label),
    classes,
  };
}

function resolveSize(size: LoadImageFolderOptions['size']): [number, number] | undefined {
  if (size === undefined) return undefined;
  const pair = typeof size === 'number' ? [size, size] : size;
  if (!Array.isArray(pair) || pair.length !== 2) {
    throw new TypeError(`Expected a number or [height, width] for options.size but received ${JSON.stringify(size)}`);
  }
  assertInteger('options.size[0]', pair[0], { min: 1, max: 65535 });
  assertInteger('options.size[1]', pair[1], { min: 1, max: 65535 });
  return [pair[0], pair[1]];
}

function visible(name: string): boolean {
  return !name.startsWith('.');
}

/** Class folders sorted by name, and their files sorted by name. */
async function listTree(root: string): Promise<{ classes: string[]; files: { file: string; label: number }[] }> {
  let top;
  try {
    top = await fs.readdir(root, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fileNotFound(root, 'a folder of class folders', undefined, error);
    if (code === 'ENOTDIR') throw corruptFile(root, 'a folder of class folders', 'a file', error);
    throw error;
  }
  const classes = top.filter((d) => d.isDirectory() && visible(d.name)).map((d) => d.name).sort();
  if (classes.length === 0) throw corruptFile(root, 'at least one class folder (root/CLASS/IMAGE)', 'no sub-folder');
  const files: { file: string; label: number }[] = [];
  for (const [label, name] of classes.entries()) {
    const folder = path.join(root, name);
    const inside = (await fs.readdir(folder, { withFileTypes: true }))
      .filter((d) => (d.isFile() || d.isSymbolicLink()) && visible(d.name))
      .map((d) => d.name)
      .sort();
    if (inside.length === 0) throw corruptFile(folder, `at least one image in class folder "${name}"`, 'no file');
    for (const file of inside) files.push({ file: path.join(folder, file), label });
  }
  return { classes, files };
}

/** Size and colour from the image header, without decoding the pixels. */
async function probe(file: string): Promise<{ width: number; height: number; colour: boolean }> {
  try {
    const meta = await sharp(file).metadata();
    if (!meta.width || !meta.height) throw new Error('no width or height in the header');
    const channels = (meta.channels ?? 1) - (meta.hasAlpha ? 1 : 0);
    return { width: meta.width, height: meta.height, colour: channels >= 3 };
  } catch (error) {
    throw corruptFile(file, 'a PNG or JPEG image', `a file sharp cannot decode (${(error as Error).message})`, error);
  }
}

/** The size every image shares, or ERR_SSLMEM_MISMATCH naming the first image that differs. */
function commonSize(entries: Entry[]): [number, number] {
  const first = entries[0];
  const odd = entries.find((e) => e.width !== first.width || e.height !== first.height);
  if (odd) {
    throw new SslmemError(
      ErrorCodes.mismatch,
      `Expected every image to be ${first.height}x${first.width} (height x width) like ${first.file}, or options.size to resize them, ` +
        `but found ${odd.height}x${odd.width} in ${odd.file}`,
    );
  }
  return [first.height, first.width];
}

async function decode(file: string, width: number, height: number, channels: 1 | 3, resize: boolean): Promise<Buffer> {
  let pipeline = sharp(file).removeAlpha();
  if (resize) pipeline = pipeline.resize({ width, height, fit: 'fill' });
  pipeline = pipeline.toColourspace(channels === 1 ? 'b-w' : 'srgb');
  let result;
  try {
    result = await pipeline.raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw corruptFile(file, 'a PNG or JPEG image', `a file sharp cannot decode (${(error as Error).message})`, error);
  }
  const { info, data } = result;
  if (info.width !== width || info.height !== height || info.channels !== channels) {
    throw corruptFile(file, `an image decoding to ${height}x${width}x${channels}`, `${info.height}x${info.width}x${info.channels}`);
  }
  return data;
}
