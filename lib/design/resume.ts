/**
 * What lets an interrupted experiment continue (`runExperiment({resume: true})`, `sslmem run
 * --resume`): in `<saveEncoders>/.resume/`, each encoder's fingerprint (a sha256 of its training
 * data, options and seed, written before it trains) and each finished replicate's scores. A trained
 * encoder or a training checkpoint is reused only when its fingerprint equals the one the current
 * call computes; a different one is ERR_SSLMEM_MISMATCH, never a silent reuse.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, SslmemError } from '../errors';
import { makeDirectory, writeFileAtomic } from '../io/atomic';

/** The folder of resume records inside the encoders' folder; removed when the experiment ends. */
export function resumeDirectory(encodersDir: string): string {
  return path.join(encodersDir, '.resume');
}

/** sha256 hex of `value` as canonical JSON (object keys sorted), prefixed by `kind`. */
export function fingerprintOf(kind: string, value: unknown): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : Array.isArray(v) ? v.map(canonical) : v;
  return createHash('sha256').update(`${kind}\n${JSON.stringify(canonical(value))}`).digest('hex');
}

function mismatch(file: string, what: string): SslmemError {
  return new SslmemError(
    ErrorCodes.mismatch,
    `Expected ${what} in ${file} to come from the same data, options and seed as this run but its fingerprint differs; run without --resume (resume: false) to start over`,
  );
}

/** One resume record: a JSON file holding `{fingerprint, ...}`. */
export class ResumeRecord<T> {
  constructor(
    readonly file: string,
    readonly fingerprint: string,
    private readonly what: string,
  ) {}

  /** The stored value when the record exists with this fingerprint; undefined when absent; ERR_SSLMEM_MISMATCH when its fingerprint differs. */
  read(): T | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return undefined;
    }
    let stored: { fingerprint?: string; value?: T };
    try {
      stored = JSON.parse(text, (_, v) => (v === 'NaN' ? Number.NaN : v)) as { fingerprint?: string; value?: T };
    } catch {
      return undefined; // a record is written atomically; an unreadable one is not ours and is rewritten
    }
    if (stored.fingerprint !== this.fingerprint) throw mismatch(this.file, this.what);
    return stored.value;
  }

  write(value: T): void {
    makeDirectory(path.dirname(this.file));
    writeFileAtomic(this.file, JSON.stringify({ fingerprint: this.fingerprint, value }, (_, v) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v)));
  }
}

/** sha256 hex of a file's bytes: what a resume record keys an input file (an encoder) by. */
export function fileFingerprint(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
