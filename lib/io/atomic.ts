/**
 * Atomic output: every file is written to a temporary file in its own directory, fsynced, and
 * renamed into place, and the directory is fsynced after the rename, so a reader never sees a
 * half-written file, a failure leaves nothing behind, and a power cut after the call returned
 * cannot undo it. A run's whole output directory is swapped in at once by lib/io/staged.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, SslmemError } from '../errors';

let counter = 0;
function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${counter++}.tmp`);
}

/** The error of every output that cannot be written: ERR_SSLMEM_WRITE_FAILED naming `target`. */
export function notWritable(target: string, cause: unknown): SslmemError {
  return new SslmemError(ErrorCodes.writeFailed, `Expected a writable output path for ${target} but received an error: ${(cause as Error).message}`, { cause });
}

/** Writes `data` to `file` and flushes it to the disk before returning. */
function writeDurable(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Flushes a file's or a directory's own entry list to the disk (directories: after a rename or an unlink in them). */
export function fsyncPath(target: string): void {
  const fd = fs.openSync(target, 'r');
  try {
    fs.fsyncSync(fd);
  } catch (error) {
    // Some file systems cannot fsync a directory (EINVAL, EISDIR on a few); nothing more can be done there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR') throw error;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Creates `dir` and its missing parents one level at a time and returns the first directory it
 * created (undefined when `dir` existed), like mkdirSync(dir, {recursive: true}), which loops
 * forever under /proc (Node's recursive mkdir retries when mkdir says ENOENT on an existing
 * parent). Throws ERR_SSLMEM_WRITE_FAILED naming `dir`.
 */
export function makeDirectory(dir: string): string | undefined {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw notWritable(dir, error);
    }
    if (stat) {
      if (!stat.isDirectory()) throw notWritable(dir, new Error(`${at} is not a directory`));
      break;
    }
    missing.push(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  missing.reverse();
  for (const level of missing) {
    try {
      fs.mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(level).isDirectory()) throw notWritable(dir, error);
    }
  }
  return missing[0];
}

/** Writes `data` to `target` through a temp file + rename. Throws ERR_SSLMEM_WRITE_FAILED, leaving no temp file. */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const temp = tempName(target);
  try {
    writeDurable(temp, data);
    fs.renameSync(temp, target);
    fsyncPath(path.dirname(target));
  } catch (cause) {
    fs.rmSync(temp, { force: true });
    throw notWritable(target, cause);
  }
}

/**
 * Writes several files into `dir`: the directory is created if needed, every file is first written
 * as a temp file, and only when all succeeded are they renamed into place (one rename each, so a
 * crash between the renames can leave some new and some old: a run's directory is made whole by
 * lib/io/staged.ts). On failure
 * the temps (and a directory this call created) are removed and ERR_SSLMEM_WRITE_FAILED is thrown.
 */
export function writeFilesAtomic(dir: string, files: Record<string, string | Uint8Array>): string[] {
  const created = makeDirectory(dir);
  const temps: Array<[string, string]> = [];
  try {
    for (const [name, data] of Object.entries(files)) {
      const target = path.join(dir, name);
      const temp = tempName(target);
      temps.push([temp, target]);
      writeDurable(temp, data);
    }
    for (const [temp, target] of temps) fs.renameSync(temp, target);
    fsyncPath(dir);
  } catch (cause) {
    for (const [temp] of temps) fs.rmSync(temp, { force: true });
    if (created) fs.rmSync(created, { recursive: true, force: true });
    throw notWritable(dir, cause);
  }
  return temps.map(([, target]) => target);
}

/**
 * Checks up front that `dir` can be created/written, so a long job fails before it starts rather
 * than after hours of scoring. Leaves nothing behind.
 */
export function assertWritableDirectory(dir: string): void {
  let created: string | undefined;
  try {
    created = makeDirectory(dir);
    const probe = tempName(path.join(dir, 'probe'));
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (cause) {
    if (cause instanceof SslmemError) throw cause;
    throw notWritable(dir, cause);
  } finally {
    if (created) fs.rmSync(created, { recursive: true, force: true });
  }
}
