/** Shared helpers of the augmentation tests: deterministic images, base parameters, the oracle. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Uint8Tensor } from '../../lib/tensor';
import type { ViewParams } from '../../lib/augment';
import { mulberry32 } from '../support/mulberry32';

/** mulberry32: a tiny seeded generator for test data (not the library's Philox). */
export function rng(seed: number): () => number {
  return mulberry32(seed);
}

/**
 * n random NHWC images with the edge cases colour code trips on mixed in: saturated 0/255 pixels,
 * gray pixels (r = g = b: hue's max == min branch) and ties between the max channels.
 */
export function makeImages(n: number, h: number, w: number, c: number, seed = 1): Uint8Tensor {
  const next = rng(seed);
  const data = new Uint8Array(n * h * w * c);
  for (let p = 0; p < n * h * w; p++) {
    const kind = next();
    for (let k = 0; k < c; k++) {
      let v = Math.floor(next() * 256);
      if (kind < 0.05) v = 0;
      else if (kind < 0.1) v = 255;
      data[p * c + k] = v;
    }
    if (c === 3 && kind >= 0.1 && kind < 0.16) data[p * c + 1] = data[p * c + 2] = data[p * c];  // gray
    if (c === 3 && kind >= 0.16 && kind < 0.2) data[p * c + 1] = data[p * c];                     // r == g tie
  }
  return { data, shape: [n, h, w, c] };
}

/** Identity parameters: the whole h x w image resized to oh x ow, nothing else. */
export function baseParams(h: number, w: number, oh = h, ow = w): ViewParams {
  return {
    crop: { top: 0, left: 0, height: h, width: w },
    size: [oh, ow],
    antialias: false,
    flip: false,
    colorJitter: null,
    grayscale: false,
    blur: null,
    solarize: null,
    normalize: null,
  };
}

export interface OracleCase {
  image: Uint8Tensor;  // one image: shape [1, H, W, C]
  params: ViewParams;
}

/** Runs test/oracles/torchvision_augment.py on every case; returns one float32 [C, H', W'] per case. */
export function runOracle(cases: OracleCase[]): Float32Array[] {
  const script = path.resolve(__dirname, '..', '..', '..', 'test', 'oracles', 'torchvision_augment.py');
  const request = {
    cases: cases.map(({ image, params }) => ({
      image: { height: image.shape[1], width: image.shape[2], channels: image.shape[3], data: Buffer.from(image.data).toString('base64') },
      params,
    })),
  };
  const result = spawnSync('/usr/bin/python3', [script], { input: JSON.stringify(request), maxBuffer: 1 << 30, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`oracle failed (${result.status}): ${result.stderr}`);
  const reply = JSON.parse(result.stdout) as { outputs: string[] };
  return reply.outputs.map((b64) => {
    const bytes = Buffer.from(b64, 'base64');
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  });
}

/** Largest |a - b| (Infinity on a length mismatch or a NaN). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

/** Whether two arrays are equal bit for bit. */
export function bitEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
