/**
 * The buffer contract (README "Buffers during a call"): native jobs hold the memory of their inputs
 * and `out` (V8 BackingStores; resizable inputs are copied), so transferring, shrinking or sharing
 * a buffer during a job neither crashes the process nor changes the result. Each case runs in a
 * child process (buffer-cases.ts): before the contract, detaching and shrinking crashed with SIGSEGV.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

function runCase(name: string): { equal?: boolean; error?: { name: string; code?: string; message: string } } {
  const child = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'buffer-cases.js'), name], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(child.signal, null, `case ${name} was killed by ${child.signal}: ${child.stderr}`);
  assert.equal(child.status, 0, `case ${name} exited with ${child.status}: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

describe('robustness: buffers changed during a call', function () {
  this.timeout(240_000);

  it('an input transferred (detached) while augment runs gives the views of the original pixels', () => {
    assert.deepEqual(runCase('detach-input'), { equal: true });
  });

  it('a resizable input shrunk to 0 bytes while augment runs gives the views of the original pixels', () => {
    assert.deepEqual(runCase('shrink-resizable-input'), { equal: true });
  });

  it('SharedArrayBuffer inputs (augment, align) give the same results as ordinary buffers', () => {
    assert.deepEqual(runCase('shared-input'), { equal: true });
  });

  it('an out buffer transferred during the job: the views land in its new owner', () => {
    assert.deepEqual(runCase('detach-out'), { equal: true });
  });

  it('an out over a resizable ArrayBuffer is a coded TypeError before the job (shrinking it would revoke the pages written)', () => {
    const { error } = runCase('resizable-out');
    assert.ok(error, 'expected an error');
    assert.equal(error.name, 'TypeError');
    assert.equal(error.code, 'ERR_SSLMEM_INVALID_TYPE');
    assert.match(error.message, /for options\.out but received one over a resizable ArrayBuffer/);
  });

  it('an out buffer over a SharedArrayBuffer receives the views', () => {
    assert.deepEqual(runCase('shared-out'), { equal: true });
  });
});
