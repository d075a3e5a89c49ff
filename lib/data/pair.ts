import { ErrorCodes, SslmemError } from '../errors';
import type { Uint8Tensor } from '../tensor';
import { corruptFile, numberedClasses } from './files';
import type { ImageDataset } from './types';

/** Options of the loaders that pair an images file with a labels file ({@link loadIdx}, {@link loadNpyDataset}). */
export interface LabelledFilesOptions {
  /** Dataset name; default: the images path. */
  name?: string;
  /** Class names indexed by label; default "0".."max label". Must cover every label. */
  classes?: string[];
}

/**
 * Joins images read from one file with labels read from another: images [N, H, W] become
 * [N, H, W, 1]; [N, H, W, C] must have C = 1 or 3. Throws ERR_SSLMEM_CORRUPT_FILE for another
 * shape, and ERR_SSLMEM_MISMATCH when the label count is not N or a label has no class.
 */
export function labelledDataset(
  images: Uint8Tensor,
  labels: ArrayLike<number>,
  paths: { images: string; labels: string },
  options: LabelledFilesOptions,
): ImageDataset {
  const rank = images.shape.length;
  const channels = rank === 4 ? images.shape[3] : 1;
  if ((rank !== 3 && rank !== 4) || (channels !== 1 && channels !== 3)) {
    throw corruptFile(paths.images, 'images of shape [N, H, W] or [N, H, W, C] with C = 1 or 3', `shape [${images.shape.join(', ')}]`);
  }
  const n = images.shape[0];
  if (labels.length !== n) {
    throw new SslmemError(ErrorCodes.mismatch, `Expected ${n} labels in ${paths.labels} (one per image in ${paths.images}) but found ${labels.length}`);
  }
  const labelArray = Int32Array.from(labels);
  const classes = options.classes ?? numberedClasses(labelArray);
  assertLabelsHaveClasses(labelArray, classes, paths.labels);
  return {
    name: options.name ?? paths.images,
    images: { data: images.data, shape: rank === 4 ? [...images.shape] : [...images.shape, 1] },
    labels: labelArray,
    classes,
  };
}

/** Throws ERR_SSLMEM_MISMATCH when a label is negative or has no entry in `classes`. */
export function assertLabelsHaveClasses(labels: Int32Array, classes: readonly string[], source: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0 || labels[i] >= classes.length) {
      throw new SslmemError(
        ErrorCodes.mismatch,
        `Expected labels in [0, ${classes.length - 1}] (${classes.length} classes) in ${source} but found ${labels[i]} at index ${i}`,
      );
    }
  }
}
