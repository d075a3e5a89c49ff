/**
 * `sslmem run --layers` end to end on tiny data: the run writes layers.csv and layers.json beside
 * its scores and draws the per-layer chart in its report, and those files are byte for byte what
 * `sslmem score --layers` writes for the run's own encoders, manifest and scoring flags (the single
 * design passes a pair's scores through unchanged).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../data/helpers';

const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');
const DATASET = path.join(repoRoot, 'test/fixtures/fashion-mnist/train-1000-images-idx3-ubyte.gz');
const SCORING = ['--views', '4', '--batch-size', '8', '--threads', '1', '--seed', '3', '--quiet'];
const RUN = ['--dataset', DATASET, '--shared', '48', '--candidates', '16', '--independent', '16', '--extra', '16', '--extra-from', 'train',
  '--architecture', 'small-cnn', '--width', '0.25', '--epochs', '2', '--train-batch-size', '16', ...SCORING];
const sslmem = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('cli: sslmem run --layers', function () {
  this.timeout(600_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-run-layers-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes layers.csv and layers.json beside the scores, equal to sslmem score --layers on its encoders, and the report charts them', () => {
    const out = path.join(tmp, 'run');
    const run = sslmem(['run', ...RUN, '--layers', 'conv2,fc', '--out', out]);
    assert.equal(run.status, 0, run.stderr);
    const layers = JSON.parse(fs.readFileSync(path.join(out, 'layers.json'), 'utf8'));
    assert.deepEqual(layers.layers, ['conv2', 'fc']);
    assert.equal(layers.points, 16 * 4, 'S_C, S_I, a 16-point sample of S_S and S_E');
    assert.match(fs.readFileSync(path.join(out, 'summary.txt'), 'utf8'), /LayerMem: mean m per layer/);
    assert.ok(fs.existsSync(path.join(out, 'report_files', 'layers.svg')));
    assert.match(fs.readFileSync(path.join(out, 'report.html'), 'utf8'), /Memorization per layer \(LayerMem\)/);

    const scored = path.join(tmp, 'score');
    const score = sslmem(['score', '--f', path.join(out, 'encoder-f.sslmem'), '--g', path.join(out, 'encoder-g.sslmem'), '--manifest', path.join(out, 'manifest.json'),
      '--dataset', DATASET, '--shared-sample', '16', '--layers', 'conv2,fc', ...SCORING, '--out', scored]);
    assert.equal(score.status, 0, score.stderr);
    for (const name of ['layers.csv', 'layers.json', 'scores.csv']) {
      assert.ok(fs.readFileSync(path.join(out, name)).equals(fs.readFileSync(path.join(scored, name))), `${name} differs from sslmem score --layers`);
    }
    // The representation layer's column is the run's own m.
    const rows = fs.readFileSync(path.join(out, 'layers.csv'), 'utf8').trim().split('\n').map((line) => line.split(','));
    const scores = fs.readFileSync(path.join(out, 'scores.csv'), 'utf8').trim().split('\n').map((line) => line.split(','));
    const mAt = rows[0].indexOf('fc:m');
    const mScore = scores[0].indexOf('m');
    rows.slice(1).forEach((row, i) => assert.equal(row[mAt], scores[i + 1][mScore]));
  });

  it('rejects a layer the architecture does not have, naming the flag, before training', () => {
    const out = path.join(tmp, 'bad');
    const run = sslmem(['run', ...RUN, '--layers', 'conv2,nope', '--out', out]);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /a layer of encoder f \(conv1, conv2, conv3, fc\) for options\.scoring\.layers\[1\] but received "nope"/);
    assert.ok(!fs.existsSync(out));
  });
});
