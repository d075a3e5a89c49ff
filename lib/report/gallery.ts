/**
 * The gallery: the most and the least memorized images written as PNG files (sharp, from the
 * uint8 NHWC pixels), upscaled with nearest-neighbour sampling so small images stay crisp. UnitMem's
 * selected points use the same PNG writer (lib/report/unitmem.ts).
 */
import * as path from 'node:path';
import sharp from 'sharp';
import type { Uint8Tensor } from '../tensor';
import type { ScoreRow } from '../score/scores-csv';

/** Where a scored point's pixels live: `images` for dataset indices, `extraImages` for an external S_E. */
export interface GalleryImages {
  images?: Uint8Tensor;
  extraImages?: Uint8Tensor;
  /** True when S_E ('extra') indices point into extraImages (the manifest's extraDataset is set). */
  extraIsSeparate?: boolean;
}

export interface GalleryItem {
  row: ScoreRow;
  /** File name relative to the assets folder. */
  file: string;
}

/** The tensor a row's index points into, or undefined when those images are not available. */
function sourceOf(row: ScoreRow, source: GalleryImages): Uint8Tensor | undefined {
  const t = row.group === 'extra' && source.extraIsSeparate ? source.extraImages : source.images;
  return t && row.index >= 0 && row.index < t.shape[0] ? t : undefined;
}

/** The rows' images gathered into one uint8 NHWC tensor, in row order (every row must be available). */
export function gatherRowImages(rows: readonly ScoreRow[], source: GalleryImages): Uint8Tensor {
  const first = rows.length ? sourceOf(rows[0], source) : source.images;
  if (!first) throw new RangeError('Expected images for every scored point but received none for the first row');
  const [, h, w, c] = first.shape;
  const size = h * w * c;
  const data = new Uint8Array(rows.length * size);
  rows.forEach((row, i) => {
    const t = sourceOf(row, source);
    if (!t || t.shape[1] !== h || t.shape[2] !== w || t.shape[3] !== c) throw new RangeError(`Expected an image of ${h}x${w}x${c} for point ${row.index} (${row.group}) but received ${t ? t.shape.slice(1).join('x') : 'none'}`);
    data.set(t.data.subarray(row.index * size, (row.index + 1) * size), i * size);
  });
  return { data, shape: [rows.length, h, w, c] };
}

/** Whether every row's image can be found. */
export function galleryAvailable(rows: readonly ScoreRow[], source: GalleryImages): boolean {
  return rows.every((row) => sourceOf(row, source) !== undefined);
}

/**
 * Writes image `index` of `images` (uint8 NHWC; grayscale, grey-alpha, RGB or RGBA) as a PNG at
 * `file`, upscaled by a whole factor to at least `minSize` pixels on the short side.
 */
export async function writeImagePng(images: Uint8Tensor, index: number, file: string, minSize = 84): Promise<void> {
  const [, h, w, c] = images.shape;
  const pixels = Buffer.from(images.data.buffer, images.data.byteOffset + index * h * w * c, h * w * c);
  const factor = Math.max(1, Math.ceil(minSize / Math.min(h, w)));
  await sharp(pixels, { raw: { width: w, height: h, channels: c as 1 | 2 | 3 | 4 } })
    .resize(w * factor, h * factor, { kernel: 'nearest' })
    .png()
    .toFile(file);
}

/** Writes one PNG per row into `dir` (at least `minSize` pixels on the short side). */
export async function writeGalleryImages(rows: readonly ScoreRow[], source: GalleryImages, dir: string, prefix: string, minSize = 84): Promise<GalleryItem[]> {
  const out: GalleryItem[] = [];
  for (const [rank, row] of rows.entries()) {
    const t = sourceOf(row, source);
    if (!t) continue;
    const file = `${prefix}-${rank + 1}-idx${row.index}.png`;
    await writeImagePng(t, row.index, path.join(dir, file), minSize);
    out.push({ row, file });
  }
  return out;
}

/** The `count` highest-m and `count` lowest-m rows (ties by index), excluding nothing. */
export function extremes(rows: readonly ScoreRow[], count: number): { most: ScoreRow[]; least: ScoreRow[] } {
  const sorted = [...rows].sort((a, b) => b.m - a.m || a.index - b.index);
  return { most: sorted.slice(0, count), least: sorted.slice(-count).reverse() };
}
