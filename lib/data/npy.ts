/**
 * NumPy `.npy` files, format versions 1.0, 2.0 and 3.0 (NEP 1,
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html): the magic `\x93NUMPY`,
 * major and minor version bytes, a little-endian header length (uint16 in 1.0, uint32 in 2.0/3.0), a
 * Python dict literal header `{'descr': ..., 'fortran_order': ..., 'shape': (...), }` (latin-1, or
 * UTF-8 in 3.0), then the array bytes. sslmem reads C-order arrays of uint8, float32 and integers.
 */
import { outOfRange } from '../errors';
import type { Tensor } from '../tensor';
import { assertString } from '../validate';
import { assertLittleEndianHost, copyBytes, corruptFile, readDataFile, readDataFiles } from './files';
import { LabelledFilesOptions, labelledDataset } from './pair';
import type { ImageDataset } from './types';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A tensor read from a .npy file: uint8 stays Uint8Array, float32 is Float32Array, integers Int32Array. */
export type NpyTensor = Tensor<Uint8Array> | Tensor<Float32Array> | Tensor<Int32Array>;

/** The parsed header of a .npy file. */
export interface NpyHeader {
  /** Format version [major, minor]. */
  version: [number, number];
  /** NumPy dtype string, e.g. '|u1', '<f4', '<i8'. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the array data. */
  dataOffset: number;
}

/** Element kind and size of each dtype sslmem reads ('=' and '|' mean native = little-endian here). */
const DTYPES: Record<string, { kind: 'u1' | 'f4' | 'int'; size: number; signed?: boolean }> = {
  u1: { kind: 'u1', size: 1 },
  i1: { kind: 'int', size: 1, signed: true },
  i2: { kind: 'int', size: 2, signed: true },
  u2: { kind: 'int', size: 2, signed: false },
  i4: { kind: 'int', size: 4, signed: true },
  u4: { kind: 'int', size: 4, signed: false },
  i8: { kind: 'int', size: 8, signed: true },
  u8: { kind: 'int', size: 8, signed: false },
  f4: { kind: 'f4', size: 4 },
};

const SUPPORTED = "'|u1', '<f4' or a little-endian integer dtype ('|i1', '<i2', '<u2', '<i4', '<u4', '<i8', '<u8')";

function dtypeOf(descr: string, file: string): { kind: 'u1' | 'f4' | 'int'; size: number; signed?: boolean } {
  const match = /^([<>|=])([a-zA-Z]\d+)$/.exec(descr);
  const dtype = match ? DTYPES[match[2]] : undefined;
  // One-byte types have no byte order; wider ones must be little-endian ('<', or '=' on this host).
  if (!match || !dtype || (dtype.size > 1 && match[1] !== '<' && match[1] !== '=')) {
    throw corruptFile(file, `a .npy dtype of ${SUPPORTED}`, `descr ${JSON.stringify(descr)}`);
  }
  return dtype;
}

/**
 * Parses and checks the header of .npy bytes. Throws ERR_SSLMEM_CORRUPT_FILE naming `file` for a bad
 * magic, an unknown version, a header that is cut off or not the dict NumPy writes, or Fortran order.
 */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    const found = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw corruptFile(file, 'the .npy magic \\x93NUMPY (93 4e 55 4d 50 59) and a version', `${found || 'no bytes'}${bytes.length < 10 ? ` (${bytes.length} bytes)` : ''}`);
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (major < 1 || major > 3 || minor !== 0) throw corruptFile(file, '.npy format version 1.0, 2.0 or 3.0', `${major}.${minor}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw corruptFile(file, `a .npy header length field`, `${bytes.length} bytes`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (bytes.length < dataOffset) throw corruptFile(file, `a .npy header of ${headerLength} bytes`, `only ${bytes.length - 8 - lengthBytes} bytes after the length field`);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + 8 + lengthBytes, headerLength).toString(major === 3 ? 'utf8' : 'latin1').trim();

  const dict = /^\{(.*)\}$/s.exec(text);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!dict || !fortran || !shape) {
    throw corruptFile(file, "a .npy header dict with 'descr', 'fortran_order' and 'shape'", JSON.stringify(text.slice(0, 120)));
  }
  if (!descr) {
    const raw = /'descr'\s*:\s*([^,]*)/.exec(text)?.[1] ?? 'none';
    throw corruptFile(file, `a .npy dtype of ${SUPPORTED}`, `descr ${raw} (a structured or missing dtype)`);
  }
  const dims = shape[1].split(',').map((d) => d.trim()).filter((d) => d.length > 0);
  if (dims.some((d) => !/^\d+$/.test(d))) throw corruptFile(file, 'a .npy shape of non-negative integers', `(${shape[1]})`);
  if (fortran[1] === 'True') {
    throw corruptFile(file, "a C-order array ('fortran_order': False; save np.ascontiguousarray(a))", "'fortran_order': True");
  }
  return { version: [major, minor], descr: descr[1], fortranOrder: false, shape: dims.map(Number), dataOffset };
}

/**
 * Parses .npy bytes into a tensor. uint8 ('|u1') gives a Uint8Array, float32 ('<f4') a Float32Array,
 * integer dtypes an Int32Array (values outside int32 are a RangeError). The data must be exactly
 * product(shape) elements.
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyTensor {
  assertLittleEndianHost();
  const header = parseNpyHeader(bytes, file);
  const dtype = dtypeOf(header.descr, file);
  const count = header.shape.reduce((a, b) => a * b, 1);
  const expected = count * dtype.size;
  const found = bytes.length - header.dataOffset;
  if (found !== expected) {
    throw corruptFile(
      file,
      `${expected} data bytes for shape (${header.shape.join(', ')}) of ${header.descr}`,
      `${found} bytes (${found < expected ? 'truncated' : 'trailing data'})`,
    );
  }
  const shape = header.shape;
  const buffer = copyBytes(bytes, header.dataOffset, expected);
  if (dtype.kind === 'u1') return { data: new Uint8Array(buffer), shape };
  if (dtype.kind === 'f4') return { data: new Float32Array(buffer), shape };
  return { data: toInt32(buffer, dtype.size, dtype.signed ?? true, count, file), shape };
}

function toInt32(buffer: ArrayBuffer, size: number, signed: boolean, count: number, file: string): Int32Array {
  const source =
    size === 1 ? new Int8Array(buffer)
    : size === 2 ? (signed ? new Int16Array(buffer) : new Uint16Array(buffer))
    : size === 4 ? (signed ? new Int32Array(buffer) : new Uint32Array(buffer))
    : signed ? new BigInt64Array(buffer) : new BigUint64Array(buffer);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const value = Number(source[i]);
    if (value < -2147483648 || value > 2147483647) {
      throw outOfRange(`${file}[${i}]`, 'an integer that fits in int32', String(source[i]), true);
    }
    out[i] = value;
  }
  return out;
}

/**
 * Reads a .npy file (raw or gzipped; format 1.0, 2.0 or 3.0, C order) as a tensor: '|u1' gives
 * Uint8Array, '<f4' Float32Array, little-endian integers Int32Array.
 * @throws SslmemError ERR_SSLMEM_FILE_NOT_FOUND when missing; ERR_SSLMEM_CORRUPT_FILE for a bad or
 *   cut-off header, an unsupported dtype, Fortran order, or a data length that does not fit the shape.
 */
export async function loadNpy(file: string): Promise<NpyTensor> {
  assertString('file', file, { nonEmpty: true });
  return parseNpy(await readDataFile(file, 'a .npy file'), file);
}

/** Options of {@link loadNpyDataset}. */
export type LoadNpyDatasetOptions = LabelledFilesOptions;

/**
 * Loads an image set from two .npy files: uint8 images [N, H, W] or [N, H, W, C] (C = 1 or 3; NHWC)
 * and N integer labels of any common dtype ('<i8', '<i4', '|u1', ...).
 * @throws SslmemError ERR_SSLMEM_CORRUPT_FILE for a bad file or the wrong dtype or rank,
 *   ERR_SSLMEM_MISMATCH when the counts differ or a label is negative or has no class name.
 */
export async function loadNpyDataset(imagesPath: string, labelsPath: string, options: LoadNpyDatasetOptions = {}): Promise<ImageDataset> {
  assertString('imagesPath', imagesPath, { nonEmpty: true });
  assertString('labelsPath', labelsPath, { nonEmpty: true });
  const [imageBytes, labelBytes] = await readDataFiles([
    { file: imagesPath, what: 'a .npy file' },
    { file: labelsPath, what: 'a .npy file' },
  ]);
  const images = parseNpy(imageBytes, imagesPath);
  const labels = parseNpy(labelBytes, labelsPath);
  if (!(images.data instanceof Uint8Array)) {
    throw corruptFile(imagesPath, "uint8 images ('|u1')", images.data instanceof Float32Array ? "'<f4'" : 'an integer dtype other than uint8');
  }
  if (labels.data instanceof Float32Array || labels.shape.length !== 1) {
    throw corruptFile(labelsPath, 'integer labels of shape [N]', `${labels.data instanceof Float32Array ? "'<f4' " : ''}shape [${labels.shape.join(', ')}]`);
  }
  return labelledDataset({ data: images.data, shape: images.shape }, labels.data, { images: imagesPath, labels: labelsPath }, options);
}
