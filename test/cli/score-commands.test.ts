import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { finalizeScores, shardRange, writePart, writeScoreOutputs } from '../../lib/score';
import { points, run } from './score-fixture';

const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');
const sslmem = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('cli: score commands', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-cli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('merge writes the same bytes as an unsharded run', () => {
    const whole = path.join(dir, 'whole');
    writeScoreOutputs(whole, finalizeScores(points, run));
    const parts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { start, end } = shardRange(points.length, { index: i, count: 4 });
      const file = path.join(dir, `part-${i}-of-4.json`);
      writePart(file, { format: 'sslmem-scores-part/1', shard: { index: i, count: 4 }, total: points.length, run, points: points.slice(start, end) });
      parts.push(file);
    }
    const merged = path.join(dir, 'merged');
    const r = sslmem(['merge', ...parts.reverse(), '--out', merged]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /SSLMem scores: 25 points, mode anchor, metric l2-normalized, 7 augmented views, each against the clean image: 7 pairs per point, seed 4/);
    for (const name of ['scores.csv', 'scores.jsonl', 'summary.json', 'summary.txt']) {
      assert.ok(fs.readFileSync(path.join(merged, name)).equals(fs.readFileSync(path.join(whole, name))), name);
    }
  });

  it('merge with a missing shard fails clearly and writes nothing', () => {
    const file = path.join(dir, 'part-0-of-2.json');
    writePart(file, { format: 'sslmem-scores-part/1', shard: { index: 0, count: 2 }, total: 25, run, points: points.slice(0, 12) });
    const r = sslmem(['merge', file, '--out', path.join(dir, 'out')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /shards 1 are missing \[ERR_SSLMEM_MISMATCH\]/);
    assert.ok(!fs.existsSync(path.join(dir, 'out')));
  });

  it('score with an unwritable output path fails before any work and leaves nothing behind', () => {
    const blocker = path.join(dir, 'file');
    fs.writeFileSync(blocker, '');
    const r = sslmem(['score', '--f', 'f.sslmem', '--g', 'g.sslmem', '--manifest', 'm.json', '--out', path.join(blocker, 'out')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Expected a writable output path .*ERR_SSLMEM_WRITE_FAILED/);
    assert.deepEqual(fs.readdirSync(dir), ['file']);
  });

  it('--config fills options unless given as flags, and rejects unknown keys', () => {
    const whole = path.join(dir, 'whole');
    const file = path.join(dir, 'part-0-of-1.json');
    writePart(file, { format: 'sslmem-scores-part/1', shard: { index: 0, count: 1 }, total: 25, run, points });
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ topK: 3, fdr: 0.2 }));
    const r = sslmem(['merge', file, '--out', whole, '--config', config, '--fdr', '0.1', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout).summary;
    assert.equal(summary.topK.length, 3);
    assert.equal(summary.fdr, 0.1);
    fs.writeFileSync(config, JSON.stringify({ topk: 3 }));
    const bad = sslmem(['merge', file, '--out', whole, '--config', config]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /received "topk"/);
  });

  it('--help explains the options with their defaults', () => {
    for (const command of ['run', 'score', 'demo', 'merge']) {
      const r = sslmem([command, '--help']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /--out <dir>/);
    }
    assert.match(sslmem(['demo', '--help']).stdout, /--views <n>[\s\S]*?\(default: 32\)/);
    assert.match(sslmem(['score', '--help']).stdout, /--mode <mode>.*anchor/s);
    assert.match(sslmem(['run', '--help']).stdout, /--design <name>[\s\S]*?"single",\s+"swapped",\s+"pairs",\s+"subsampled",\s+default:\s+"single"/);
  });

  it('run rejects an unknown design and a bad --pairs before any work', () => {
    const out = path.join(dir, 'run');
    const bad = sslmem(['run', '--design', 'triple', '--out', out]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--design.*triple/s);
    const pairs = sslmem(['run', '--dataset', 'fashion-mnist-demo', '--design', 'pairs', '--pairs', '1', '--out', out]);
    assert.notEqual(pairs.status, 0);
    assert.match(pairs.stderr, /design\.replicates.*1/);
    assert.ok(!fs.existsSync(path.join(out, 'scores.csv')));
  });
});
