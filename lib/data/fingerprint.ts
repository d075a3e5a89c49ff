import { createHash } from 'node:crypto';
import { assertImageDataset } from './dataset';
import { assertLittleEndianHost } from './files';
import type { ImageDataset } from './types';

/**
 * A content fingerprint of a dataset: the SHA-256 (hex) of the ASCII line
 * `sslmem-dataset-v1 N,H,W,C\n`, then the image bytes (NHWC), then the labels as little-endian int32.
 * Equal images and labels in the same order give the same fingerprint whatever the name, class names
 * or file format; any pixel, label or order change gives another. Encoders record it so a score run
 * can check it uses the data the encoder was trained on.
 */
export function datasetFingerprint(dataset: ImageDataset): string {
  assertImageDataset('dataset', dataset);
  assertLittleEndianHost();
  const { images, labels } = dataset;
  return createHash('sha256')
    .update(`sslmem-dataset-v1 ${images.shape.join(',')}\n`, 'ascii')
    .update(images.data)
    .update(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength))
    .digest('hex');
}
