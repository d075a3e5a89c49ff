/**
 * Reading data files: asynchronously (fs.promises), gunzipping on libuv's thread pool when the
 * bytes start with the gzip magic, and turning every failure into an {@link SslmemError} that names
 * the file, what was expected and what was found.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { ErrorCodes, SslmemError } from '../errors';

const gunzip = promisify(zlib.gunzip);

/** An error with code ERR_SSLMEM_CORRUPT_FILE: "Expected EXPECTED in FILE but found FOUND". */
export function corruptFile(file: string, expected: string, found: string, cause?: unknown): SslmemError {
  return new SslmemError(ErrorCodes.corruptFile, `Expected ${expected} in ${file} but found ${found}`, { cause });
}

/** An error with code ERR_SSLMEM_FILE_NOT_FOUND, with an optional hint on how to get the file. */
export function fileNotFound(file: string, what: string, hint?: string, cause?: unknown): SslmemError {
  const message = `Expected ${what} at ${file} but no such file exists${hint ? `. ${hint}` : ''}`;
  return new SslmemError(ErrorCodes.fileNotFound, message, { cause });
}

/** True when the bytes begin with the gzip magic number 1f 8b (RFC 1952). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The bytes of a file, gunzipped when they are gzip (whatever the file name says). `what` says what
 * the file should be, for error messages ("an IDX images file"). A missing file is
 * ERR_SSLMEM_FILE_NOT_FOUND; an empty file or a broken gzip stream is ERR_SSLMEM_CORRUPT_FILE.
 */
export async function readDataFile(file: string, what: string): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw fileNotFound(file, what, undefined, error);
    if (code === 'EISDIR') throw corruptFile(file, `${what} (a file)`, 'a directory', error);
    throw error;
  }
  if (raw.length === 0) throw corruptFile(file, what, 'an empty file');
  return isGzip(raw) ? gunzipData(raw, file, what) : raw;
}

/**
 * Gunzips on libuv's thread pool in 1 MiB output chunks (fewer round trips than zlib's 16 KiB
 * default), so the event loop keeps turning. A broken stream is ERR_SSLMEM_CORRUPT_FILE naming `file`.
 */
export async function gunzipData(raw: Uint8Array, file: string, what: string): Promise<Buffer> {
  try {
    return await gunzip(raw, { chunkSize: 1 << 20 });
  } catch (error) {
    throw corruptFile(file, `a complete gzip stream holding ${what}`, `a broken gzip stream (${(error as Error).message})`, error);
  }
}

/**
 * Copies `byteLength` bytes starting at `byteOffset` of `bytes` into a fresh ArrayBuffer, so typed
 * arrays of any element size can view it (Node's pooled Buffers are not aligned).
 */
export function copyBytes(bytes: Uint8Array, byteOffset: number, byteLength: number): ArrayBuffer {
  const out = new ArrayBuffer(byteLength);
  new Uint8Array(out).set(bytes.subarray(byteOffset, byteOffset + byteLength));
  return out;
}

/**
 * Multi-byte data files (.npy, fingerprints) are little-endian; typed arrays use the host's order.
 * Every platform Node supports today is little-endian; say so clearly rather than misread data.
 */
export function assertLittleEndianHost(): void {
  if (os.endianness() !== 'LE') {
    throw new SslmemError(ErrorCodes.native, `Expected a little-endian host for sslmem's data loaders but received ${os.endianness()}`);
  }
}

/** Runs `task` over `items` with at most `limit` in flight; results keep the items' order. */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Class names "0", "1", ... for labels without names: one per label up to the largest. */
export function numberedClasses(labels: Int32Array): string[] {
  let max = -1;
  for (const label of labels) if (label > max) max = label;
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}
