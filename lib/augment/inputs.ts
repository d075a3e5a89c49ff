/**
 * What every augmentation call checks the same way: the image batch, the options that key the
 * random streams (seed, epoch, item ids) and the thread count, and a caller's output buffer.
 */
import { invalidType, outOfRange } from '../errors';
import { Uint8Tensor, assertTensor } from '../tensor';
import { assertInteger, assertThreads, assertTypedArray } from '../validate';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Options that key the random streams and size the job (shared by augment and multi-crop). */
export interface StreamOptions {
  /** Integer seed in [0, 2^53). */
  seed: number;
  /** Epoch, keys the streams so each epoch draws fresh views. Default 0. */
  epoch?: number;
  /** One id per image keying its streams (integers in [0, 2^53)). Default itemOffset + i. */
  itemIds?: ArrayLike<number>;
  /** Added to the image index when itemIds is absent. Default 0. */
  itemOffset?: number;
  /** Threads inside this job; 0 (default) = all hardware threads. */
  threads?: number;
}

/** The stream options as the native side reads them. */
export interface NativeStreams {
  seed: number;
  epoch: number;
  itemIds?: Float64Array;
  threads: number;
}

/** uint8 NHWC images of at least 1 x 1 pixels with 1 or 3 channels. */
export function checkImages(images: unknown, name = 'images'): asserts images is Uint8Tensor {
  assertTensor(name, images, Uint8Array, 4);
  const [, h, w, c] = images.shape;
  if (h < 1 || w < 1) throw outOfRange(`${name}.shape`, 'images of at least 1 x 1 pixels', `${h} x ${w}`, true);
  if (c !== 1 && c !== 3) throw outOfRange(`${name}.shape[3]`, '1 or 3 channels (NHWC)', `${c} channels`, true);
}

function itemIdsFor(n: number, options: StreamOptions): Float64Array | undefined {
  if (options.itemIds !== undefined) {
    const ids = options.itemIds;
    if (ids === null || typeof ids !== 'object' || typeof (ids as ArrayLike<number>).length !== 'number') {
      throw invalidType('options.itemIds', 'an array of integers', ids);
    }
    if (ids.length !== n) throw outOfRange('options.itemIds', `${n} ids (one per image)`, `${ids.length} ids`, true);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      assertInteger(`options.itemIds[${i}]`, ids[i], { min: 0, max: MAX_SAFE });
      out[i] = ids[i];
    }
    return out;
  }
  const offset = options.itemOffset ?? 0;
  assertInteger('options.itemOffset', offset, { min: 0, max: MAX_SAFE - n });
  if (offset === 0) return undefined;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = offset + i;
  return out;
}

/** Checks seed, epoch, threads and the item ids of n images, filling the defaults. */
export function resolveStreams(n: number, options: StreamOptions): NativeStreams {
  assertInteger('options.seed', options.seed, { min: 0, max: MAX_SAFE });
  const epoch = options.epoch ?? 0;
  assertInteger('options.epoch', epoch, { min: 0, max: MAX_SAFE });
  const threads = options.threads ?? 0;
  assertThreads('options.threads', threads);
  return { seed: options.seed, epoch, itemIds: itemIdsFor(n, options), threads };
}

/** A caller's output buffer: undefined, or a Float32Array of exactly `length` elements. */
export function checkOut(out: unknown, length: number): Float32Array | undefined {
  if (out === undefined) return undefined;
  assertTypedArray('options.out', out, Float32Array);
  if (out.length !== length) throw outOfRange('options.out', `a Float32Array of length ${length}`, `length ${out.length}`, true);
  return out;
}
