import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (tests run from dist/test/data). */
export const repoRoot = path.resolve(__dirname, '../../..');

export const fixtureImages = path.join(repoRoot, 'test/fixtures/fashion-mnist/train-1000-images-idx3-ubyte.gz');
export const fixtureLabels = path.join(repoRoot, 'test/fixtures/fashion-mnist/train-1000-labels-idx1-ubyte.gz');
export const debianDir = '/usr/share/datasets/fashion-mnist';

/** Runs a committed oracle script under Debian's python (numpy, torch) and parses its JSON output. */
export function python<T>(script: string, args: string[]): T {
  const out = execFileSync('/usr/bin/python3', [path.join(repoRoot, 'test/data/oracle', script), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out) as T;
}

/** A fresh temp folder, removed after the current mocha suite. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sslmem-data-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Asserts that `promise` rejects with an error of `code` whose message matches every pattern. */
export async function rejectsWith(promise: Promise<unknown>, code: string, ...patterns: (RegExp | string)[]): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.code, code, `code of: ${error.message}`);
    for (const p of patterns) {
      if (typeof p === 'string') assert.ok(error.message.includes(p), `"${error.message}" should include "${p}"`);
      else assert.match(error.message, p);
    }
    return true;
  });
}

/** Per-class counts of labels. */
export function histogram(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
