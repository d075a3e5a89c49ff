/**
 * The seeded fuzzer (fuzz-child.ts) in CI: random calls over every public entry for
 * SSLMEM_FUZZ_SECONDS (default 40) in a child process under a 8 GB address-space limit (so that
 * outputs within the size limits but beyond memory take the allocation-failure path instead of
 * the machine's memory). Fails on a crash (signal or abnormal exit), a hang, or any error that is
 * not a TypeError, RangeError, AbortError or coded ERR_SSLMEM_* error, naming the seed and the call.
 * The default seed is fixed so CI replays the same calls; SSLMEM_FUZZ_SEED=random draws one.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const DEFAULT_SEED = 16;

describe('robustness: seeded fuzzer over the public API', function () {
  const seconds = Number(process.env.SSLMEM_FUZZ_SECONDS ?? 40);
  this.timeout((seconds + 180) * 1000);

  it(`answers every random call with a result or a coded error for ${seconds} s`, () => {
    const seed = process.env.SSLMEM_FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.SSLMEM_FUZZ_SEED ?? DEFAULT_SEED);
    const trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-fuzz-')), 'call');
    const child = spawnSync('/bin/sh', ['-c', `ulimit -v 8000000; exec "${process.execPath}" "${path.join(__dirname, 'fuzz-child.js')}"`], {
      encoding: 'utf8',
      timeout: (seconds + 120) * 1000,
      env: { ...process.env, SSLMEM_FUZZ_SEED: String(seed), SSLMEM_FUZZ_SECONDS: String(seconds), SSLMEM_FUZZ_TRACE: trace, SSLMEM_FUZZ_SURVEY: '0' },
    });
    const last = fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8').trim() : 'none';
    const replay = `replay: SSLMEM_FUZZ_SEED=${seed} SSLMEM_FUZZ_SECONDS=${seconds} node ${path.join(__dirname, 'fuzz-child.js')}`;
    assert.equal(child.signal, null, `the fuzzer's process died of ${child.signal} during call ${last} (${replay})\n${child.stderr.slice(-2000)}`);
    const lines = child.stdout.trim().split('\n').filter(Boolean);
    const report = lines.length ? JSON.parse(lines[lines.length - 1]) : {};
    assert.equal(report.failure, undefined, `call ${JSON.stringify(report.failure)} (${replay})`);
    assert.equal(child.status, 0, `exit ${child.status} during call ${last} (${replay})\n${child.stderr.slice(-2000)}`);
    assert.ok(report.calls > 100, `only ${report.calls} calls in ${seconds} s`);
    console.log(`      fuzz: seed ${seed}, ${report.calls} calls over ${report.entries} entries in ${seconds} s (${report.callsPerSecond.toFixed(0)}/s)`);
  });
});
