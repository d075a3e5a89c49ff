/** Argument checks shared by the linear probe and the kNN classifier. */
import { outOfRange } from '../errors';
import { setTorchThreads } from '../system';
import { assertTensor, Float32Tensor } from '../tensor';
import { assertInteger, assertThreads, assertTypedArray } from '../validate';

/** Applies an optional `options.threads` to libtorch's intra-op pool (a process-wide setting). */
export function applyTorchThreads(threads: number | undefined): void {
  if (threads === undefined) return;
  assertThreads('options.threads', threads);
  setTorchThreads(threads);
}

/** Checks a [N, D] float32 feature matrix with finite values and returns N. */
export function assertFeatures(name: string, value: unknown, width?: number): asserts value is Float32Tensor {
  assertTensor(name, value, Float32Array, 2);
  if (value.shape[0] < 1) throw outOfRange(`${name}.shape[0]`, 'at least one row', value.shape[0]);
  if (value.shape[1] < 1) throw outOfRange(`${name}.shape[1]`, 'at least one feature', value.shape[1]);
  if (width !== undefined && value.shape[1] !== width) {
    throw outOfRange(`${name}.shape[1]`, `${width} (the training feature width)`, value.shape[1]);
  }
  const data = value.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw outOfRange(`${name}.data[${i}]`, 'a finite number', data[i]);
  }
}

/** Checks one non-negative integer label per row (below `classes` when given). */
export function assertLabels(name: string, value: unknown, rows: number, classes?: number): asserts value is Int32Array {
  assertTypedArray(name, value, Int32Array);
  if (value.length !== rows) throw outOfRange(`${name}.length`, `${rows} (one label per feature row)`, value.length);
  for (let i = 0; i < value.length; i++) {
    if (value[i] < 0 || (classes !== undefined && value[i] >= classes)) {
      throw outOfRange(`${name}[${i}]`, classes === undefined ? 'a label >= 0' : `a label in [0, ${classes})`, value[i]);
    }
  }
}

/** 1 + the largest label in any of the arrays. */
export function classCount(...labels: Int32Array[]): number {
  let max = -1;
  for (const array of labels) for (const label of array) if (label > max) max = label;
  return max + 1;
}

export function assertOptionalClasses(name: string, value: unknown, seen: number): void {
  if (value === undefined) return;
  assertInteger(name, value, { min: Math.max(1, seen) });
}

/** The feature/label arguments shared by the linear probe and the kNN classifier. */
export interface FeatureSets {
  trainFeatures: unknown;
  trainLabels: unknown;
  testFeatures?: unknown;
  testLabels?: unknown;
  classes?: number;
}

/**
 * Checks train features and labels, and test features (and labels when given) of the same width;
 * returns the number of classes: options.classes, or 1 + the largest label seen.
 */
export function validateFeatureSets(options: FeatureSets): number {
  const { trainFeatures, trainLabels, testFeatures, testLabels } = options;
  assertFeatures('options.trainFeatures', trainFeatures);
  assertLabels('options.trainLabels', trainLabels, trainFeatures.shape[0], options.classes);
  const labelSets: Int32Array[] = [trainLabels];
  if (testFeatures !== undefined) {
    assertFeatures('options.testFeatures', testFeatures, trainFeatures.shape[1]);
    if (testLabels !== undefined) {
      assertLabels('options.testLabels', testLabels, testFeatures.shape[0], options.classes);
      labelSets.push(testLabels);
    }
  }
  const seen = classCount(...labelSets);
  assertOptionalClasses('options.classes', options.classes, seen);
  return options.classes ?? seen;
}
