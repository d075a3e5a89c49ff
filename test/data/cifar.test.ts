import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadCifar } from '../../lib/data';
import { python, rejectsWith, sha256, tempDir } from './helpers';

/** Hand-made pixel value of record k, channel c, pixel p = y * 32 + x. */
const pixel = (k: number, c: number, p: number) => (k * 7 + c * 50 + p) % 256;

/** CIFAR records with the given label bytes each, pixels from {@link pixel} (CHW, as the format stores them). */
function records(labels: number[][], firstIndex = 0): Buffer {
  const out: Buffer[] = [];
  labels.forEach((labelBytes, i) => {
    const record = Buffer.alloc(labelBytes.length + 3072);
    labelBytes.forEach((b, j) => (record[j] = b));
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) record[labelBytes.length + c * 1024 + p] = pixel(firstIndex + i, c, p);
    out.push(record);
  });
  return Buffer.concat(out);
}

const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

describe('data/cifar: synthetic CIFAR-10 and CIFAR-100 batches', () => {
  const dir = tempDir();
  const c10 = path.join(dir, 'cifar-10-batches-bin');
  mkdirSync(c10);
  // data_batch_10 must come after data_batch_2: numeric, not text, order.
  writeFileSync(path.join(c10, 'data_batch_2.bin'), records([[3], [9]], 0));
  writeFileSync(path.join(c10, 'data_batch_10.bin'), records([[0]], 2));
  writeFileSync(path.join(c10, 'test_batch.bin'), records([[5]], 0));
  writeFileSync(path.join(c10, 'batches.meta.txt'), CIFAR10_NAMES.join('\n') + '\n\n');
  const c100 = path.join(dir, 'cifar-100-binary');
  mkdirSync(c100);
  writeFileSync(path.join(c100, 'train.bin'), records([[4, 99], [19, 0]], 0));
  writeFileSync(path.join(c100, 'test.bin'), records([[1, 2]], 0));
  writeFileSync(path.join(c100, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n'));

  it('CIFAR-10 directory: batches in numeric order, CHW records turned into NHWC pixels', async () => {
    const ds = await loadCifar(c10);
    assert.deepEqual(ds.images.shape, [3, 32, 32, 3]);
    assert.deepEqual(Array.from(ds.labels), [3, 9, 0]);
    assert.deepEqual(ds.classes, CIFAR10_NAMES);
    const at = (k: number, y: number, x: number, c: number) => ds.images.data[((k * 32 + y) * 32 + x) * 3 + c];
    // Literal spot checks: record 0 top-left is (R, G, B) = (0, 50, 100); record 1 at y=1, x=2 is p=34.
    assert.deepEqual([at(0, 0, 0, 0), at(0, 0, 0, 1), at(0, 0, 0, 2)], [0, 50, 100]);
    assert.deepEqual([at(1, 1, 2, 0), at(1, 1, 2, 1), at(1, 1, 2, 2)], [41, 91, 141]);
    assert.equal(at(2, 31, 31, 2), (14 + 100 + 1023) % 256);
    for (let k = 0; k < 3; k++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) assert.equal(at(k, y, x, c), pixel(k, c, y * 32 + x));
  });

  it('matches torchvision-style numpy reshape + transpose(0, 2, 3, 1)', async () => {
    const files = ['data_batch_2.bin', 'data_batch_10.bin'].map((f) => path.join(c10, f));
    const ds = await loadCifar(files);
    const oracle = python<{ sha256: string; labels: number[] }>('cifar_nhwc.py', ['1', '0', ...files]);
    assert.equal(sha256(ds.images.data), oracle.sha256);
    assert.deepEqual(Array.from(ds.labels), oracle.labels);
  });

  it('test split, a single (gzipped) file, and class names from batches.meta.txt', async () => {
    const test = await loadCifar(c10, { split: 'test' });
    assert.deepEqual(Array.from(test.labels), [5]);
    assert.equal(test.name, `${c10}/test`);
    const gz = path.join(c10, 'extra.bin.gz');
    writeFileSync(gz, gzipSync(records([[7]], 0)));
    const one = await loadCifar(gz);
    assert.deepEqual(Array.from(one.labels), [7]);
    assert.equal(one.name, gz);
    assert.equal(one.classes[7], 'horse');
    assert.equal(one.images.data[2], 100);
  });

  it('CIFAR-100: fine labels by default, coarse on request, names when the file is there', async () => {
    const fine = await loadCifar(c100);
    assert.deepEqual(Array.from(fine.labels), [99, 0]);
    assert.equal(fine.classes.length, 100);
    assert.equal(fine.classes[99], '99'); // no fine_label_names.txt: numbered
    const coarse = await loadCifar(c100, { label: 'coarse' });
    assert.deepEqual(Array.from(coarse.labels), [4, 19]);
    assert.equal(coarse.classes[19], 'coarse19');
    const oracle = python<{ sha256: string; labels: number[] }>('cifar_nhwc.py', ['2', '1', path.join(c100, 'train.bin')]);
    assert.equal(sha256(fine.images.data), oracle.sha256);
    assert.deepEqual(Array.from(fine.labels), oracle.labels);
    const test = await loadCifar(path.join(c100, 'test.bin'));
    assert.deepEqual(Array.from(test.labels), [2]);
  });

  it('a record length that is not a multiple of 3073 (or 3074) is a corrupt file', async () => {
    const bad = path.join(dir, 'bad_batch.bin');
    writeFileSync(bad, records([[1], [2]]).subarray(0, 3073 + 100));
    await rejectsWith(loadCifar(bad), 'ERR_SSLMEM_CORRUPT_FILE', bad, 'a whole number of cifar-10 records of 3073 bytes', 'but found 3173 bytes (1 records and 100 bytes left over)');
    // CIFAR-100 data read as CIFAR-10: 2 x 3074 bytes is not a multiple of 3073.
    await rejectsWith(loadCifar(path.join(c100, 'train.bin'), { format: 'cifar-10' }), 'ERR_SSLMEM_CORRUPT_FILE', 'records of 3073 bytes');
  });

  it('empty and missing files, and a folder without batches', async () => {
    const empty = path.join(dir, 'empty.bin');
    writeFileSync(empty, '');
    await rejectsWith(loadCifar(empty), 'ERR_SSLMEM_CORRUPT_FILE', empty, 'empty file');
    await rejectsWith(loadCifar(path.join(dir, 'nope.bin')), 'ERR_SSLMEM_FILE_NOT_FOUND', 'nope.bin');
    await rejectsWith(loadCifar([path.join(dir, 'nope.bin')]), 'ERR_SSLMEM_FILE_NOT_FOUND', 'nope.bin');
    const none = path.join(dir, 'no-batches');
    mkdirSync(none);
    await rejectsWith(loadCifar(none), 'ERR_SSLMEM_FILE_NOT_FOUND', 'data_batch_1.bin', 'cifar-10 train batches');
  });

  it('labels out of range and a class-name file with the wrong count', async () => {
    const bad = path.join(dir, 'label_batch.bin');
    writeFileSync(bad, records([[10]]));
    await rejectsWith(loadCifar(bad), 'ERR_SSLMEM_MISMATCH', 'Expected labels in [0, 9]', 'found 10');
    const meta = path.join(dir, 'meta');
    mkdirSync(meta);
    writeFileSync(path.join(meta, 'test_batch.bin'), records([[1]]));
    writeFileSync(path.join(meta, 'batches.meta.txt'), 'cat\ndog\n');
    await rejectsWith(loadCifar(meta, { split: 'test' }), 'ERR_SSLMEM_CORRUPT_FILE', 'Expected 10 class names, one a line', 'batches.meta.txt', 'but found 2');
  });

  it('bad options are TypeErrors / RangeErrors naming the option', async () => {
    await assert.rejects(loadCifar(c10, { split: 'val' as 'train' }), /Expected one of "train", "test" for options.split but received the string "val"/);
    await assert.rejects(loadCifar(c10, { format: 'cifar-20' as 'cifar-10' }), /options.format/);
    await assert.rejects(loadCifar([]), RangeError);
  });
});
