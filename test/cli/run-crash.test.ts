/**
 * kill -9 of `sslmem run` at several points (during training, between checkpoint writes, during
 * scoring, after two durable segments of scored points): the output directory is always the complete previous output (a first run's) or absent,
 * never a mix; `--resume` then continues from what the killed run left (encoders, checkpoints) and
 * ends with the same scores as an uninterrupted run with the same seed. Tiny data, 3 epochs.
 * The crash between a commit's two renames is reproduced on disk in test/io/staged.test.ts.
 */
import { strict as assert } from 'node:assert';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Encoder } from '../../lib';
import { repoRoot } from '../data/helpers';

const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');
const DATASET = path.join(repoRoot, 'test/fixtures/fashion-mnist/train-1000-images-idx3-ubyte.gz');
const FLAGS = ['--dataset', DATASET, '--shared', '48', '--candidates', '16', '--independent', '16', '--extra', '16', '--extra-from', 'train',
  '--architecture', 'small-cnn', '--width', '0.25', '--epochs', '3', '--train-batch-size', '16', '--views', '4', '--batch-size', '8', '--threads', '1', '--quiet'];

// 64 points scored: eight durable segments in the killed and resumed runs, one in the reference run.
const SEGMENTS = ['--segment-points', '8'];

/** The scored segments a run keeps in its resume folder (lib/design/segments.ts). */
function segmentsKept(staging: string): string[] {
  const dir = path.join(staging, '.resume', 'scores-0-segments');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => /^segment-\d+-\d+\.json$/.test(name)) : [];
}

function files(dir: string): Record<string, Buffer> {
  return Object.fromEntries(fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).isFile()).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

/** Starts `sslmem run` and kills it with SIGKILL as soon as `when(staging dir)` holds. Resolves whether it was killed. */
function runUntil(args: string[], staging: string, when: (dir: string) => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, [CLI, 'run', ...args], { stdio: 'ignore' });
    let killed = false;
    const timer = setInterval(() => {
      if (!killed && fs.existsSync(staging) && when(staging)) {
        killed = child.kill('SIGKILL');
      }
    }, 10);
    child.on('exit', () => {
      clearInterval(timer);
      resolve(killed);
    });
  });
}

describe('cli: sslmem run survives kill -9 and resumes', function () {
  this.timeout(600000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-crash-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('kills during training, after a checkpoint and during scoring leave the previous output whole; --resume gives the uninterrupted scores', async () => {
    const reference = path.join(tmp, 'reference');
    const whole = spawnSync(process.execPath, [CLI, 'run', ...FLAGS, '--seed', '3', '--out', reference], { encoding: 'utf8' });
    assert.equal(whole.status, 0, whole.stderr);

    // The previous output: a complete run with another seed.
    const out = path.join(tmp, 'out');
    const staging = path.join(tmp, '.out.partial');
    const previous = spawnSync(process.execPath, [CLI, 'run', ...FLAGS, '--seed', '4', '--out', out], { encoding: 'utf8' });
    assert.equal(previous.status, 0, previous.stderr);
    const before = files(out);

    const points: Array<[string, (dir: string) => boolean]> = [
      ['during the training of f (first checkpoint written)', (dir) => fs.existsSync(path.join(dir, 'checkpoint-f.sslmem'))],
      ['between checkpoints of g', (dir) => fs.existsSync(path.join(dir, 'checkpoint-g.sslmem'))],
      ['during scoring', (dir) => fs.existsSync(path.join(dir, 'encoder-g.sslmem'))],
      ['during scoring, after two segments of 8 points', (dir) => segmentsKept(dir).length >= 2],
    ];
    let resume: string[] = [];
    for (const [where, when] of points) {
      const killed = await runUntil([...FLAGS, '--seed', '3', '--out', out, ...SEGMENTS, ...resume], staging, when);
      assert.ok(killed, `the run ended before it could be killed ${where}`);
      assert.deepEqual(files(out), before, `killed ${where}: the previous output must be untouched`);
      resume = ['--resume'];
    }
    const segments = segmentsKept(staging);
    assert.ok(segments.length >= 2 && segments.length < 8, `the killed run's finished segments are kept: ${segments}`);
    const kept = fs.readdirSync(staging);
    assert.ok(kept.includes('encoder-f.sslmem') && kept.includes('encoder-g.sslmem'), `the killed run's encoders are kept for --resume: ${kept}`);

    const mismatch = spawnSync(process.execPath, [CLI, 'run', ...FLAGS, '--seed', '3', '--epochs', '4', '--out', out, '--resume'], { encoding: 'utf8' });
    assert.notEqual(mismatch.status, 0);
    assert.match(mismatch.stderr, /fingerprint differs[\s\S]*ERR_SSLMEM_MISMATCH/);
    assert.deepEqual(files(out), before);

    const resumed = spawnSync(process.execPath, [CLI, 'run', ...FLAGS, '--seed', '3', '--out', out, ...SEGMENTS, '--resume'], { encoding: 'utf8' });
    assert.equal(resumed.status, 0, resumed.stderr);
    const after = files(out);
    const expected = files(reference);
    // Encoder files name their temp file inside the zip (libtorch's archive root), so their bytes differ; the scores do not.
    for (const name of ['scores.csv', 'scores.jsonl', 'manifest.json']) {
      assert.ok(after[name].equals(expected[name]), `${name} differs from the uninterrupted run's`);
    }
    assert.deepEqual(Object.keys(after).sort(), Object.keys(expected).sort());
    assert.deepEqual(fs.readdirSync(tmp).sort(), ['out', 'reference'], 'no staging, old or temp directory is left');
  });
});

describe('cli: sslmem train survives kill -9 and resumes from its checkpoint', function () {
  this.timeout(600000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-crash-train-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  // The first 256 images of the fixture: four short epochs.
  const images = path.join(tmp, 'train-256-images-idx3-ubyte');
  const labels = path.join(tmp, 'train-256-labels-idx1-ubyte');
  const head = (from: string, to: string, header: number, each: number) => {
    const raw = zlib.gunzipSync(fs.readFileSync(from));
    raw.writeUInt32BE(256, 4);
    fs.writeFileSync(to, raw.subarray(0, header + 256 * each));
  };
  head(DATASET, images, 16, 784);
  head(DATASET.replace('images-idx3', 'labels-idx1'), labels, 8, 1);
  const flags = ['--images', images, '--labels', labels, '--architecture', 'small-cnn', '--width', '0.25', '--epochs', '4', '--batch-size', '16', '--threads', '1', '--seed', '5', '--checkpoint-every', '1'];

  it('the output file stays the previous one, a dead writer\'s temp file goes, and resuming gives the uninterrupted encoder', async () => {
    const reference = path.join(tmp, 'reference.sslmem');
    const whole = spawnSync(process.execPath, [CLI, 'train', ...flags, '--out', reference], { encoding: 'utf8' });
    assert.equal(whole.status, 0, whole.stderr);

    const out = path.join(tmp, 'f.sslmem');
    fs.writeFileSync(out, 'the previous output');
    const stale = `${out}.tmp-${(1 << 22) + 1}`;
    fs.writeFileSync(stale, 'a temp file of a killed save');
    const killed = await new Promise<boolean>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'train', ...flags, '--out', out], { stdio: 'ignore' });
      let done = false;
      const timer = setInterval(() => {
        // Killed once the second checkpoint is under way or written: between checkpoint writes.
        if (!done && fs.existsSync(`${out}.ckpt`) && !fs.existsSync(stale)) done = child.kill('SIGKILL');
      }, 10);
      child.on('exit', () => {
        clearInterval(timer);
        resolve(done);
      });
    });
    assert.ok(killed, 'the training ended before it could be killed');
    assert.equal(fs.readFileSync(out, 'utf8'), 'the previous output');
    const resumed = spawnSync(process.execPath, [CLI, 'train', ...flags, '--out', out, '--resume', `${out}.ckpt`], { encoding: 'utf8' });
    assert.equal(resumed.status, 0, resumed.stderr);
    const [a, b] = await Promise.all([Encoder.load(reference), Encoder.load(out)]);
    const images = { data: new Uint8Array(8 * 28 * 28).map((_, i) => (i * 37) % 256), shape: [8, 28, 28, 1] };
    assert.deepEqual((await a.embed(images)).data, (await b.embed(images)).data);
    assert.deepEqual(a.description.lossHistory, b.description.lossHistory);
    a.dispose();
    b.dispose();
  });
});
