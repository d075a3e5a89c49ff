/**
 * IDX files, the format of MNIST and Fashion-MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/;
 * Xiao et al. 2017, https://github.com/zalandoresearch/fashion-mnist): a 4-byte magic number
 * `0x00 0x00 TYPE NDIM`, NDIM big-endian uint32 dimensions, then the data in C order. sslmem reads
 * unsigned-byte files (TYPE 0x08), raw or gzipped, and checks the byte length exactly.
 */
import type { Uint8Tensor } from '../tensor';
import { assertString } from '../validate';
import { corruptFile, readDataFile, readDataFiles } from './files';
import { LabelledFilesOptions, labelledDataset } from './pair';
import type { ImageDataset } from './types';

/** IDX data type codes (the third magic byte) and their names, for error messages. */
const IDX_TYPES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

const UBYTE = 0x08;

function hex(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

/**
 * Parses the bytes of an unsigned-byte IDX file. `ranks` lists the dimension counts accepted
 * (3 for images, 1 for labels). Throws ERR_SSLMEM_CORRUPT_FILE naming `file` on a bad magic number,
 * data type, rank, zero dimension, or a byte length other than 4 + 4 * NDIM + product(dims).
 */
export function parseIdx(bytes: Uint8Array, file: string, ranks: readonly number[] = [1, 2, 3, 4]): Uint8Tensor {
  const expectedMagic = ranks.map((r) => hex((UBYTE << 8) | r, 8)).join(' or ');
  if (bytes.length < 4) {
    throw corruptFile(file, `an IDX header of at least 4 bytes (magic ${expectedMagic})`, `${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw corruptFile(file, `IDX magic number ${expectedMagic}`, `${hex(magic, 8)} (not an IDX file)`);
  }
  const type = bytes[2];
  if (type !== UBYTE) {
    const name = IDX_TYPES[type] ?? 'an unknown type';
    throw corruptFile(file, `IDX data type code 0x08 (unsigned byte)`, `${hex(type, 2)} (${name})`);
  }
  const rank = bytes[3];
  if (!ranks.includes(rank)) {
    throw corruptFile(file, `an IDX file of ${ranks.join(' or ')} dimensions (magic ${expectedMagic})`, `${rank} dimensions (magic ${hex(magic, 8)})`);
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw corruptFile(file, `an IDX header of ${headerLength} bytes for ${rank} dimensions`, `${bytes.length} bytes`);
  }
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(view.getUint32(4 + 4 * d, false));
  if (shape.some((n) => n === 0)) throw corruptFile(file, 'IDX dimensions >= 1', `[${shape.join(', ')}]`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== headerLength + count) {
    throw corruptFile(
      file,
      `${headerLength} + ${shape.join('x')} = ${headerLength + count} bytes (after gunzip)`,
      `${bytes.length} bytes (${bytes.length < headerLength + count ? 'truncated' : 'trailing data'})`,
    );
  }
  // A plain Uint8Array copy (not a Buffer view), so the tensor owns its memory: gunzip output may
  // share a pooled ArrayBuffer.
  return { data: new Uint8Array(bytes.subarray(headerLength)), shape };
}

/**
 * Reads one unsigned-byte IDX file (raw or gzipped) as a tensor of its stored shape.
 * @param file path to the file.
 * @throws SslmemError ERR_SSLMEM_FILE_NOT_FOUND when it is missing, ERR_SSLMEM_CORRUPT_FILE when it
 *   is empty, truncated, not IDX, not unsigned bytes, or a broken gzip stream.
 */
export async function readIdx(file: string): Promise<Uint8Tensor> {
  assertString('file', file, { nonEmpty: true });
  return parseIdx(await readDataFile(file, 'an IDX file'), file);
}

/** Options of {@link loadIdx}. */
export type LoadIdxOptions = LabelledFilesOptions;

/**
 * Loads an image set stored as an IDX pair, e.g. Fashion-MNIST's `train-images-idx3-ubyte.gz` and
 * `train-labels-idx1-ubyte.gz`: images of shape [N, H, W] (or [N, H, W, C]) and N labels, both
 * unsigned bytes, raw or gzipped. Returns NHWC images (C = 1 for [N, H, W] files).
 * @throws SslmemError ERR_SSLMEM_CORRUPT_FILE for a bad file (see {@link readIdx}),
 *   ERR_SSLMEM_MISMATCH when the label count differs from the image count or a label has no class.
 */
export async function loadIdx(imagesPath: string, labelsPath: string, options: LoadIdxOptions = {}): Promise<ImageDataset> {
  assertString('imagesPath', imagesPath, { nonEmpty: true });
  assertString('labelsPath', labelsPath, { nonEmpty: true });
  const [imageBytes, labelBytes] = await readDataFiles([
    { file: imagesPath, what: 'an IDX images file' },
    { file: labelsPath, what: 'an IDX labels file' },
  ]);
  const images = parseIdx(imageBytes, imagesPath, [3, 4]);
  const labels = parseIdx(labelBytes, labelsPath, [1]);
  return labelledDataset(images, labels.data, { images: imagesPath, labels: labelsPath }, options);
}
