/**
 * A run's output directory, made visible whole or not at all. The files are written into a hidden
 * sibling, `.NAME.partial`, and `commit()` fsyncs every file and directory in it, moves a previous
 * NAME aside (`.NAME.old-PID`), renames the sibling onto NAME, fsyncs the parent and removes the old
 * one. A crash (kill -9, power cut) at any point leaves NAME as the complete previous output, the
 * complete new one, or (between the two renames only) absent with the previous one in `.NAME.old-PID`;
 * the next {@link StagedDirectory.open} of NAME puts that one back and removes what crashed runs left.
 * `.NAME.partial` survives a crash or an error so that `--resume` can continue from it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, SslmemError } from '../errors';
import { fsyncPath, makeDirectory, notWritable } from './atomic';

const LOCK = '.lock';
/** Written into every committed output: what made it. Its presence lets a later run replace the directory. */
export const OUTPUT_RECORD = 'sslmem-output.json';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fsyncTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) fsyncTree(full);
    else if (entry.isFile()) fsyncPath(full);
  }
  fsyncPath(dir);
}

/**
 * Temp files of writers that died: lib/io/atomic's `.NAME.PID.N.tmp`, the report's
 * `.report_files.tmp-PID-TIME` and native saves' `NAME.tmp-PID` (a live PID's are left alone);
 * with `of`, only those of files whose names start with it.
 */
export function removeDeadTemps(dir: string, of?: string): void {
  const patterns = [/^\..+\.(\d+)\.\d+\.tmp$/, /^\..+\.tmp-(\d+)-\d+$/, /^.+\.tmp-(\d+)$/];
  for (const entry of fs.readdirSync(dir)) {
    if (of !== undefined && !entry.startsWith(of) && !entry.startsWith(`.${of}`)) continue;
    for (const pattern of patterns) {
      const match = pattern.exec(entry);
      if (match && !isAlive(Number(match[1]))) {
        fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
        break;
      }
    }
  }
}

/** Options of {@link StagedDirectory.open}. */
export interface StagedDirectoryOptions {
  /** Keep what an interrupted run left in `.NAME.partial` (default false: start empty). */
  resume?: boolean;
}

/** See the module comment. `dir` is where to write; `final` is where the output appears on commit. */
export class StagedDirectory {
  private constructor(
    readonly final: string,
    readonly dir: string,
  ) {}

  /**
   * Recovers NAME from a crash between renames, removes stale siblings of dead runs, and opens
   * `.NAME.partial` (emptied unless `resume`). Throws ERR_SSLMEM_WRITE_FAILED when the parent cannot
   * be written or another live process is writing the same output.
   */
  static open(final: string, options: StagedDirectoryOptions = {}): StagedDirectory {
    const target = path.resolve(final);
    const parent = path.dirname(target);
    const name = path.basename(target);
    makeDirectory(parent);
    StagedDirectory.assertReplaceable(target);
    const staging = path.join(parent, `.${name}.partial`);
    try {
      const owner = Number.parseInt(fs.readFileSync(path.join(staging, LOCK), 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new SslmemError(ErrorCodes.writeFailed, `Expected no other sslmem process writing ${target} but process ${owner} is (its files are in ${staging})`);
      }
    } catch (error) {
      if (error instanceof SslmemError) throw error;
    }
    try {
      StagedDirectory.recover(parent, name, target);
      if (!options.resume) fs.rmSync(staging, { recursive: true, force: true });
      else if (fs.existsSync(staging)) removeDeadTemps(staging);
      makeDirectory(staging);
      fs.writeFileSync(path.join(staging, LOCK), String(process.pid));
    } catch (error) {
      if (error instanceof SslmemError) throw error;
      throw notWritable(target, error);
    }
    return new StagedDirectory(target, staging);
  }

  /** Only a new, empty or sslmem-written NAME is ever replaced: `--out .` must not move a user's folder away. */
  private static assertReplaceable(target: string): void {
    let entries: string[];
    try {
      entries = fs.readdirSync(target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      throw notWritable(target, code === 'ENOTDIR' ? new Error('it is a file, not a directory') : error);
    }
    if (entries.length > 0 && !entries.includes(OUTPUT_RECORD)) {
      throw new SslmemError(
        ErrorCodes.writeFailed,
        `Expected a new or empty output directory, or one sslmem wrote (with ${OUTPUT_RECORD}), for ${target} but it holds other files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''})`,
      );
    }
  }

  /** A crash between the two renames of a commit left NAME absent: the previous output comes back. Old copies go. */
  private static recover(parent: string, name: string, target: string): void {
    const prefix = `.${name}.old-`;
    const olds = fs.readdirSync(parent).filter((entry) => entry.startsWith(prefix) && !isAlive(Number(entry.slice(prefix.length))));
    for (const old of olds) {
      const full = path.join(parent, old);
      if (!fs.existsSync(target)) fs.renameSync(full, target);
      else fs.rmSync(full, { recursive: true, force: true });
    }
  }

  /**
   * Makes the staged files the output, atomically (see the module comment), with {@link OUTPUT_RECORD}
   * saying what made it (`record`) and which files it holds. Returns `final`.
   */
  commit(record: Record<string, unknown>): string {
    try {
      fs.rmSync(path.join(this.dir, LOCK), { force: true });
      const files = fs.readdirSync(this.dir).filter((name) => name !== OUTPUT_RECORD).sort();
      fs.writeFileSync(path.join(this.dir, OUTPUT_RECORD), JSON.stringify({ format: 'sslmem-output/1', ...record, files }, null, 2) + '\n');
      fsyncTree(this.dir);
      const parent = path.dirname(this.final);
      const old = path.join(parent, `.${path.basename(this.final)}.old-${process.pid}`);
      const hadPrevious = fs.existsSync(this.final);
      if (hadPrevious) fs.renameSync(this.final, old);
      fs.renameSync(this.dir, this.final);
      fsyncPath(parent);
      if (hadPrevious) fs.rmSync(old, { recursive: true, force: true });
    } catch (error) {
      throw notWritable(this.final, error);
    }
    return this.final;
  }
}
