/**
 * `sslmem merge` killed at every file-system step of its output (issue 16): a preload hooks the fs
 * calls the writers make (open, write, fsync, rename, remove) and sends the process SIGKILL at the
 * k-th one, for k = 1, 2, ... until a run gets through. After every kill --out must be exactly the
 * previous output, whole; the next merge then cleans up what the killed ones left and writes the
 * bytes of an unsharded run.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { finalizeScores, shardRange, writePart, writeScoreOutputs } from '../../lib/score';
import { points, run } from './score-fixture';

const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');
const SCORE_FILES = ['scores.csv', 'scores.jsonl', 'summary.json', 'summary.txt'];

const HOOK = `
const fs = require('node:fs');
const at = Number(process.env.SSLMEM_TEST_KILL_AT);
let calls = 0;
for (const name of ['openSync', 'writeFileSync', 'writeSync', 'fsyncSync', 'renameSync', 'rmSync', 'mkdirSync']) {
  const original = fs[name];
  fs[name] = function (...args) {
    if (++calls === at) process.kill(process.pid, 'SIGKILL');
    return original.apply(this, args);
  };
}
`;

function files(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).map((name) => [name, fs.readFileSync(path.join(dir, name), 'utf8')]));
}

describe('cli: sslmem merge killed at every write step', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-merge-crash-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('leaves --out as the previous output after each kill, and the next merge writes the unsharded bytes', () => {
    const partsDir = path.join(dir, 'parts');
    const parts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { start, end } = shardRange(points.length, { index: i, count: 3 });
      const file = path.join(partsDir, `part-${i}-of-3.json`);
      fs.mkdirSync(partsDir, { recursive: true });
      writePart(file, { format: 'sslmem-scores-part/1', shard: { index: i, count: 3 }, total: points.length, run, points: points.slice(start, end) });
      parts.push(file);
    }
    const whole = path.join(dir, 'whole');
    writeScoreOutputs(whole, finalizeScores(points, run, { fdr: 0.05, topK: 20 }));
    const hook = path.join(dir, 'kill-hook.js');
    fs.writeFileSync(hook, HOOK);
    const out = path.join(dir, 'merged');
    const merge = (extra: string[], killAt?: number) =>
      spawnSync(process.execPath, [...(killAt ? ['--require', hook] : []), CLI, 'merge', ...parts, '--out', out, ...extra], {
        encoding: 'utf8',
        env: { ...process.env, SSLMEM_TEST_KILL_AT: String(killAt ?? 0) },
      });

    // The previous output: a complete merge with another false discovery rate (another summary).
    const first = merge(['--fdr', '0.2']);
    assert.equal(first.status, 0, first.stderr);
    const previous = files(out);

    let kills = 0;
    let betweenRenames = 0;
    let afterCommit = 0;
    for (let k = 1; ; k++) {
      assert.ok(k < 500, 'the merge never got through');
      const r = merge([], k);
      if (r.status === 0) break;
      assert.equal(r.signal, 'SIGKILL', `step ${k}: ${r.stderr}`);
      kills++;
      if (fs.existsSync(out)) {
        const now = files(out);
        if (now['summary.json'] !== previous['summary.json']) {
          // Killed after the commit (removing the previous output aside): --out is the new output, whole.
          assert.deepEqual(Object.keys(now).sort(), [...SCORE_FILES, 'sslmem-output.json'].sort(), `killed at step ${k}`);
          for (const name of SCORE_FILES) assert.equal(now[name], fs.readFileSync(path.join(whole, name), 'utf8'), `killed at step ${k}: ${name}`);
          afterCommit++;
        } else {
          assert.deepEqual(now, previous, `killed at step ${k}: --out must be the previous output, whole`);
        }
      } else {
        // Killed between a commit's two renames: the previous output waits whole in .merged.old-PID,
        // and the next merge puts it back before anything else (lib/io/staged.ts).
        const olds = fs.readdirSync(dir).filter((name) => name.startsWith('.merged.old-'));
        assert.equal(olds.length, 1, `killed at step ${k}: --out is absent, so the previous output must be aside`);
        assert.deepEqual(files(path.join(dir, olds[0])), previous, `killed at step ${k}: the previous output aside must be whole`);
        betweenRenames++;
      }
    }
    assert.ok(kills >= 10, `the hook must reach the output's writes (killed ${kills} times)`);
    assert.ok(betweenRenames >= 1, 'the steps between the two renames of the commit are reached');
    assert.ok(afterCommit >= 1, 'the steps after the commit are reached too');

    fs.rmSync(out, { recursive: true });
    const clean = merge([]);
    assert.equal(clean.status, 0, clean.stderr);
    const merged = files(out);
    for (const name of SCORE_FILES) assert.equal(merged[name], fs.readFileSync(path.join(whole, name), 'utf8'), name);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['kill-hook.js', 'merged', 'parts', 'whole'], 'no staging, old or temp directory is left');
  });

  it('refuses an --out that holds one of the parts, writing nothing', () => {
    const partsDir = path.join(dir, 'inside');
    fs.mkdirSync(partsDir, { recursive: true });
    const file = path.join(partsDir, 'part-0-of-1.json');
    writePart(file, { format: 'sslmem-scores-part/1', shard: { index: 0, count: 1 }, total: points.length, run, points });
    const r = spawnSync(process.execPath, [CLI, 'merge', file, '--out', partsDir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Expected a directory that holds none of the parts .* for --out but received .*ERR_SSLMEM_OUT_OF_RANGE/);
    assert.deepEqual(fs.readdirSync(partsDir), ['part-0-of-1.json']);
  });
});
