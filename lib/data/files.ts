/**
 * Reading data files: asynchronously (fs.promises), gunzipping on libuv's thread pool when the
 * bytes start with the gzip magic, and turning every failure into an {@link SslmemError} that names
 * the file, what was expected and what was found.
 */
import * as buffer from 'node:buffer';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as zlib from 'node:zlib';
import { abortError, ErrorCodes, SslmemError } from '../errors';

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
 * The most bytes a data file may hold, before and after gunzip: Node's largest Buffer (4 GiB on
 * 64-bit Node 20). A larger file, an endless pipe or a gzip bomb fails with ERR_SSLMEM_CORRUPT_FILE
 * at this bound instead of growing until the process dies.
 */
export const MAX_DATA_FILE_BYTES = buffer.constants.MAX_LENGTH;

/** Options of {@link readDataFile}. */
export interface ReadDataFileOptions {
  /** Stops the read (and the gunzip) with an AbortError. */
  signal?: AbortSignal;
  /** Bound on the bytes read and on the gunzipped bytes; default {@link MAX_DATA_FILE_BYTES}. */
  maxBytes?: number;
}

function tooLarge(file: string, what: string, maxBytes: number, stage: string): SslmemError {
  return corruptFile(file, `${what} of at most ${maxBytes} bytes ${stage}`, 'more (an oversized file, an endless stream or a gzip bomb)');
}

/**
 * The bytes of a file, gunzipped when they are gzip (whatever the file name says). `what` says what
 * the file should be, for error messages ("an IDX images file"). A missing file is
 * ERR_SSLMEM_FILE_NOT_FOUND; an empty file, a broken gzip stream, a device (/dev/zero never ends) or
 * more than `maxBytes` (a pipe that does not end, a gzip bomb) is ERR_SSLMEM_CORRUPT_FILE.
 */
export async function readDataFile(file: string, what: string, options: ReadDataFileOptions = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? MAX_DATA_FILE_BYTES;
  let raw: Buffer;
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const stat = await handle.stat();
    if (stat.isDirectory()) throw corruptFile(file, `${what} (a file)`, 'a directory');
    if (!stat.isFile() && !stat.isFIFO()) throw corruptFile(file, `${what} (a file or a pipe)`, 'a device or socket');
    if (stat.isFile() && stat.size > maxBytes) throw tooLarge(file, what, maxBytes, 'on disk');
    raw = await readBounded(handle, stat.isFile() ? stat.size : 0, maxBytes, options.signal);
  } catch (error) {
    if (error instanceof SslmemError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw fileNotFound(file, what, undefined, error);
    if (code === 'EISDIR') throw corruptFile(file, `${what} (a file)`, 'a directory', error);
    if (code === 'ERANGE') throw tooLarge(file, what, maxBytes, 'on disk');
    throw error;
  } finally {
    await handle?.close();
  }
  if (raw.length === 0) throw corruptFile(file, what, 'an empty file');
  return isGzip(raw) ? gunzipData(raw, file, what, { ...options, maxBytes }) : raw;
}

/** Largest single read: fs.read takes at most 2 GiB per call, and the signal is checked between reads. */
const READ_PIECE = 64 << 20;

/**
 * Reads until end of file, failing (code ERANGE) past `maxBytes`; checks `signal` between reads. A
 * regular file is read into one buffer of its size (then one more read sees the end); a pipe in
 * 1 MiB chunks.
 */
async function readBounded(handle: fs.FileHandle, sizeHint: number, maxBytes: number, signal: AbortSignal | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(Math.max(sizeHint - total, 1 << 20), maxBytes - total + 1));
    let filled = 0;
    while (filled < chunk.length) {
      if (signal?.aborted) throw abortError(signal.reason);
      const { bytesRead } = await handle.read(chunk, filled, Math.min(chunk.length - filled, READ_PIECE), null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    total += filled;
    if (total > maxBytes) throw Object.assign(new Error('too large'), { code: 'ERANGE' });
    if (filled > 0) chunks.push(filled === chunk.length ? chunk : chunk.subarray(0, filled));
    if (filled < chunk.length) break; // end of file
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

/**
 * Reads several files of one dataset at once. When one fails, the others are aborted and awaited,
 * so nothing keeps reading (a gzip bomb beside a missing file) after this rejects with the first error.
 */
export async function readDataFiles(files: ReadonlyArray<{ file: string; what: string }>, options: ReadDataFileOptions = {}): Promise<Buffer[]> {
  const controller = new AbortController();
  const outer = options.signal;
  const forward = () => controller.abort(outer!.reason);
  outer?.addEventListener('abort', forward, { once: true });
  let firstError: unknown;
  try {
    const settled = await Promise.allSettled(
      files.map(({ file, what }) =>
        readDataFile(file, what, { ...options, signal: controller.signal }).catch((error: unknown) => {
          firstError ??= error;
          controller.abort(error);
          throw error;
        }),
      ),
    );
    if (firstError !== undefined) throw firstError;
    return settled.map((s) => (s as PromiseFulfilledResult<Buffer>).value);
  } finally {
    outer?.removeEventListener('abort', forward);
  }
}

/**
 * Gunzips on libuv's thread pool in 1 MiB output chunks (fewer round trips than zlib's 16 KiB
 * default), so the event loop keeps turning; stops at `maxBytes` of output and on `signal`. A broken
 * stream or too much output is ERR_SSLMEM_CORRUPT_FILE naming `file`.
 */
export function gunzipData(raw: Uint8Array, file: string, what: string, options: ReadDataFileOptions = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? MAX_DATA_FILE_BYTES;
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(abortError(signal.reason));
  return new Promise((resolve, reject) => {
    const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 });
    const chunks: Buffer[] = [];
    let total = 0;
    const onAbort = () => gunzip.destroy(abortError(signal!.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (error: unknown, value?: Buffer) => {
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(value!);
    };
    gunzip.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) gunzip.destroy(tooLarge(file, what, maxBytes, 'after gunzip'));
      else chunks.push(chunk);
    });
    gunzip.on('error', (error: Error) => {
      if (error instanceof SslmemError) finish(error);
      else finish(corruptFile(file, `a complete gzip stream holding ${what}`, `a broken gzip stream (${error.message})`, error));
    });
    gunzip.on('end', () => finish(undefined, Buffer.concat(chunks, total)));
    gunzip.end(raw);
  });
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

/**
 * Runs `task` over `items` with at most `limit` in flight; results keep the items' order. After the
 * first failure no further item starts, and the ones in flight are awaited before it rethrows, so
 * nothing of the job keeps running after it rejected.
 */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let firstError: unknown;
  async function worker(): Promise<void> {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index], index);
      } catch (error) {
        if (!failed) firstError = error;
        failed = true;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw firstError;
  return results;
}

/** Class names "0", "1", ... for labels without names: one per label up to the largest. */
export function numberedClasses(labels: Int32Array): string[] {
  let max = -1;
  for (const label of labels) if (label > max) max = label;
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}
