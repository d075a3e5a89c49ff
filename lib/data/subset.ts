import { invalidType, outOfRange } from '../errors';
import type { Uint8Tensor } from '../tensor';
import { assertInteger } from '../validate';
import { assertImageDataset } from './dataset';
import type { ImageDataset } from './types';

/**
 * The images and labels at `indices`, in that order, copied into a new dataset (repeats allowed, so
 * bootstrap samples work). Class names are kept; the name records the subset size.
 * @param dataset the source dataset.
 * @param indices integers in [0, N): an array or any typed array.
 * @throws TypeError / RangeError naming `indices[i]` for a non-integer or out-of-range index.
 */
export function subset(dataset: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  assertImageDataset('dataset', dataset);
  if (indices === null || typeof indices !== 'object' || typeof indices.length !== 'number') {
    throw invalidType('indices', 'an array of indices', indices);
  }
  const [n, h, w, c] = dataset.images.shape;
  const pixels = h * w * c;
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    assertInteger(`indices[${i}]`, index, { min: 0, max: n - 1 });
    images.set(dataset.images.data.subarray(index * pixels, (index + 1) * pixels), i * pixels);
    labels[i] = dataset.labels[index];
  }
  return {
    name: `${dataset.name}[${indices.length} of ${n}]`,
    images: { data: images, shape: [indices.length, h, w, c] },
    labels,
    classes: [...dataset.classes],
  };
}

/** The images at the given indices (copied, in order). */
export function gatherImages(images: Uint8Tensor, indices: ArrayLike<number>): Uint8Tensor {
  const [n, h, w, c] = images.shape;
  const size = h * w * c;
  const data = new Uint8Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i];
    if (!Number.isInteger(idx) || idx < 0 || idx >= n) throw outOfRange(`indices[${i}]`, `an index in [0, ${n})`, idx);
    data.set(images.data.subarray(idx * size, (idx + 1) * size), i * size);
  }
  return { data, shape: [indices.length, h, w, c] };
}
