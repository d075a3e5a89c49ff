import { invalidType, outOfRange } from '../errors';
import { assertTensor } from '../tensor';
import { assertObject, assertString, assertTypedArray } from '../validate';
import type { ImageDataset } from './types';

/**
 * Checks that `value` is an {@link ImageDataset}: a name, uint8 images [N, H, W, C] with C = 1 or 3,
 * an Int32Array of N labels each in [0, classes.length), and class names as strings.
 * Throws a TypeError or RangeError naming the field (e.g. "dataset.labels[7]").
 */
export function assertImageDataset(name: string, value: unknown): asserts value is ImageDataset {
  assertObject(name, value);
  assertString(`${name}.name`, value.name);
  assertTensor(`${name}.images`, value.images, Uint8Array, 4);
  const shape = value.images.shape;
  if (shape[3] !== 1 && shape[3] !== 3) {
    throw outOfRange(`${name}.images.shape[3]`, '1 or 3 channels (NHWC)', `${shape[3]} ([${shape.join(', ')}])`, true);
  }
  assertTypedArray(`${name}.labels`, value.labels, Int32Array);
  if (value.labels.length !== shape[0]) {
    throw outOfRange(`${name}.labels`, `${shape[0]} labels (one per image)`, `${value.labels.length}`, true);
  }
  if (!Array.isArray(value.classes) || value.classes.some((c) => typeof c !== 'string')) {
    throw invalidType(`${name}.classes`, 'an array of class names (strings)', value.classes);
  }
  const classes = value.classes.length;
  value.labels.forEach((label, i) => {
    if (label < 0 || label >= classes) throw outOfRange(`${name}.labels[${i}]`, `a label in [0, ${classes - 1}]`, label);
  });
}
