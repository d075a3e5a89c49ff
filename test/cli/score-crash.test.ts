/**
 * kill -9 of `sslmem score` during scoring (issue 16): finished segments of points are kept in the
 * staging folder (.OUT.partial/.segments), --out is untouched, and `--resume` scores only the rest,
 * ending with files byte-identical to an uninterrupted run's (segments of 8 points there, one
 * segment of 512 in the uninterrupted run: the segmenting does not change a score).
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { datasetFingerprint } from '../../lib/data';
import { Encoder } from '../../lib/encoder';
import { makeSplits, writeManifest } from '../../lib/score';
import { repoRoot } from '../data/helpers';
import { fashionMnist } from '../train/helpers';

const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');
const DATASET = path.join(repoRoot, 'test/fixtures/fashion-mnist/train-1000-images-idx3-ubyte.gz');

describe('cli: sslmem score survives kill -9 during scoring and resumes', function () {
  this.timeout(600_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-score-crash-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('keeps the finished segments, leaves --out alone, and --resume ends byte-identical to an uninterrupted run', async () => {
    const dataset = fashionMnist('train', 1000);
    const manifest = makeSplits({ n: 1000, sizes: { shared: 100, candidates: 40, independent: 40 }, extra: { n: 40 }, seed: 3, datasetName: dataset.name, fingerprint: datasetFingerprint(dataset) });
    const manifestFile = path.join(tmp, 'manifest.json');
    writeManifest(manifestFile, manifest);
    for (const [name, seed] of [['f', 1], ['g', 2]] as const) {
      const encoder = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], width: 0.5, seed });
      await encoder.save(path.join(tmp, `${name}.sslmem`));
      encoder.dispose();
    }
    const flags = ['--f', path.join(tmp, 'f.sslmem'), '--g', path.join(tmp, 'g.sslmem'), '--manifest', manifestFile, '--dataset', DATASET,
      '--shared-sample', '40', '--views', '8', '--batch-size', '4', '--threads', '1', '--seed', '5', '--quiet'];
    const reference = path.join(tmp, 'reference');
    const whole = spawnSync(process.execPath, [CLI, 'score', ...flags, '--out', reference], { encoding: 'utf8' });
    assert.equal(whole.status, 0, whole.stderr);

    const out = path.join(tmp, 'out');
    const segments = path.join(tmp, '.out.partial', '.segments');
    const killed = await new Promise<boolean>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'score', ...flags, '--segment-points', '8', '--out', out], { stdio: 'ignore' });
      let done = false;
      const timer = setInterval(() => {
        if (!done && fs.existsSync(segments) && fs.readdirSync(segments).filter((name) => name.endsWith('.json')).length >= 3) done = child.kill('SIGKILL');
      }, 10);
      child.on('exit', () => {
        clearInterval(timer);
        resolve(done);
      });
    });
    assert.ok(killed, 'the scoring ended before it could be killed');
    assert.ok(!fs.existsSync(out), 'a killed score leaves no --out');
    const kept = fs.readdirSync(segments).filter((name) => name.endsWith('.json'));
    assert.ok(kept.length >= 3 && kept.length < 20, `finished segments are kept: ${kept}`);
    const keptTimes = kept.map((name) => fs.statSync(path.join(segments, name)).mtimeMs);

    // Another seed is other scores: the kept segments are refused, not reused.
    const other = spawnSync(process.execPath, [CLI, 'score', ...flags, '--seed', '6', '--segment-points', '8', '--out', out, '--resume'], { encoding: 'utf8' });
    assert.notEqual(other.status, 0);
    assert.match(other.stderr, /fingerprint differs[\s\S]*ERR_SSLMEM_MISMATCH/);
    assert.deepEqual(kept.map((name) => fs.statSync(path.join(segments, name)).mtimeMs), keptTimes, 'a refused resume rewrites nothing');

    const resumed = spawnSync(process.execPath, [CLI, 'score', ...flags, '--segment-points', '8', '--out', out, '--resume'], { encoding: 'utf8' });
    assert.equal(resumed.status, 0, resumed.stderr);
    for (const name of ['scores.csv', 'scores.jsonl', 'summary.json', 'summary.txt']) {
      assert.ok(fs.readFileSync(path.join(out, name)).equals(fs.readFileSync(path.join(reference, name))), `${name} differs from the uninterrupted run's`);
    }
    assert.ok(!fs.readdirSync(out).includes('.segments'), 'the segment records are not part of the output');
    assert.deepEqual(fs.readdirSync(tmp).sort(), ['f.sslmem', 'g.sslmem', 'manifest.json', 'out', 'reference']);
  });
});
