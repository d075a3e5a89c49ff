/**
 * Atomic output: every file is written to a temporary file in its own directory and renamed into
 * place, so a reader never sees a half-written file and a failure leaves nothing behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, SslmemError } from '../errors';

let counter = 0;
function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${counter++}.tmp`);
}

function notWritable(target: string, cause: unknown): SslmemError {
  return new SslmemError(ErrorCodes.writeFailed, `Expected a writable output path for ${target} but received an error: ${(cause as Error).message}`, { cause });
}

/** Writes `data` to `target` through a temp file + rename. Throws ERR_SSLMEM_WRITE_FAILED, leaving no temp file. */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const temp = tempName(target);
  try {
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, target);
  } catch (cause) {
    fs.rmSync(temp, { force: true });
    throw notWritable(target, cause);
  }
}

/**
 * Writes several files into `dir` all-or-nothing: the directory is created if needed, every file is
 * first written as a temp file, and only when all succeeded are they renamed into place. On failure
 * the temps (and a directory this call created) are removed and ERR_SSLMEM_WRITE_FAILED is thrown.
 */
export function writeFilesAtomic(dir: string, files: Record<string, string | Uint8Array>): string[] {
  let created: string | undefined;
  try {
    created = fs.mkdirSync(dir, { recursive: true });
  } catch (cause) {
    throw notWritable(dir, cause);
  }
  const temps: Array<[string, string]> = [];
  try {
    for (const [name, data] of Object.entries(files)) {
      const target = path.join(dir, name);
      const temp = tempName(target);
      temps.push([temp, target]);
      fs.writeFileSync(temp, data);
    }
    for (const [temp, target] of temps) fs.renameSync(temp, target);
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
    created = fs.mkdirSync(dir, { recursive: true });
    const probe = tempName(path.join(dir, 'probe'));
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (cause) {
    throw notWritable(dir, cause);
  } finally {
    if (created) fs.rmSync(created, { recursive: true, force: true });
  }
}
