/**
 * Finds the pixels of a run directory's scored points for the gallery: `images.npy` (uint8
 * [N, H, W, C], C order) in the run directory, with `extra-images.npy` for an external S_E.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, SslmemError } from '../errors';
import type { Uint8Tensor } from '../tensor';
import type { GalleryImages } from './gallery';
import type { RunDirectory } from './rundir';

/** Reads a uint8 NHWC .npy file (format 1.x-3.x, C order), the layout sslmem writes. */
export function readUint8Npy(file: string): Uint8Tensor {
  const bytes = fs.readFileSync(file);
  const fail = (what: string) => new SslmemError(ErrorCodes.corruptFile, `Expected a uint8 [N, H, W, C] .npy file at ${file} but received ${what}`);
  if (bytes.length < 10 || bytes.toString('latin1', 0, 6) !== '\x93NUMPY') throw fail('no .npy magic');
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', start, start + headerLength);
  if (!/'descr':\s*'\|u1'/.test(header)) throw fail(`dtype ${/'descr':\s*'([^']*)'/.exec(header)?.[1] ?? '?'}`);
  if (/'fortran_order':\s*True/.test(header)) throw fail('Fortran order');
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.length !== 4) throw fail(`shape (${shape.join(', ')})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  if (bytes.length - offset !== count) throw fail(`${bytes.length - offset} data bytes for shape (${shape.join(', ')})`);
  return { data: new Uint8Array(bytes.buffer, bytes.byteOffset + offset, count), shape };
}

/** The gallery's image source for a run directory, or why there is none. */
export async function resolveRunImages(run: RunDirectory): Promise<GalleryImages | { missing: string }> {
  const main = path.join(run.dir, 'images.npy');
  if (!fs.existsSync(main)) return { missing: `no images.npy in ${run.dir}` };
  const extra = path.join(run.dir, 'extra-images.npy');
  return {
    images: readUint8Npy(main),
    extraImages: fs.existsSync(extra) ? readUint8Npy(extra) : undefined,
    extraIsSeparate: Boolean(run.manifest?.extraDataset),
  };
}
