import type { Uint8Tensor } from '../tensor';

/**
 * A labelled image set as every loader returns it: uint8 images in NHWC layout (N images of H x W
 * pixels with C = 1 or 3 channels) and one integer label per image.
 */
export interface ImageDataset {
  /** Where it came from, e.g. "fashion-mnist/train" or a file path. */
  name: string;
  /** uint8, shape [N, H, W, C]. */
  images: Uint8Tensor;
  /** Label of each image, length N. */
  labels: Int32Array;
  /** Class names indexed by label, when known (otherwise the label numbers as text). */
  classes: string[];
}
