import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadNpy, loadNpyDataset, parseNpyHeader } from '../../lib/data';
import { python, rejectsWith, tempDir } from './helpers';

type Facts = Record<string, { shape: number[]; values: (number | string)[] }>;

/** NumPy prints non-finite values as text ("inf"); compare them as numbers. */
const asNumber = (v: number | string) => (typeof v === 'number' ? v : Number(v.replace('inf', 'Infinity')));

describe('data/npy: files written by NumPy itself', () => {
  const dir = tempDir();
  const facts = python<Facts>('write_npy.py', [dir]);
  const file = (name: string) => path.join(dir, `${name}.npy`);
  const CORRUPT = 'ERR_SSLMEM_CORRUPT_FILE';

  for (const [name, type] of [
    ['u1_v1', Uint8Array],
    ['f4_v2', Float32Array],
    ['u1_v3', Uint8Array],
    ['scalar_f4', Float32Array],
    ['labels_i8', Int32Array],
    ['labels_i4', Int32Array],
    ['labels_u2', Int32Array],
    ['labels_i2', Int32Array],
  ] as const) {
    it(`${name}: same shape, dtype family and values as NumPy`, async () => {
      const t = await loadNpy(file(name));
      assert.ok(t.data instanceof type, `${name} should load as ${type.name}, got ${t.data.constructor.name}`);
      assert.deepEqual(t.shape, facts[name].shape);
      assert.deepEqual(Array.from(t.data as ArrayLike<number>), facts[name].values.map(asNumber));
    });
  }

  it('reads the format version and header NumPy wrote (1.0, 2.0, 3.0)', () => {
    for (const [name, major] of [['u1_v1', 1], ['f4_v2', 2], ['u1_v3', 3]] as const) {
      const header = parseNpyHeader(readFileSync(file(name)), name);
      assert.deepEqual(header.version, [major, 0]);
      assert.equal(header.dataOffset % 64, 0, 'NumPy pads the header to a multiple of 64 bytes');
    }
    assert.equal(parseNpyHeader(readFileSync(file('f4_v2')), 'f').descr, '<f4');
  });

  it('loadNpyDataset: [N,H,W] uint8 images with int64 labels, and [N,H,W,C] with uint8 labels', async () => {
    const gray = await loadNpyDataset(file('images_nhw'), file('labels_i8'));
    assert.deepEqual(gray.images.shape, [5, 4, 3, 1]);
    assert.deepEqual(Array.from(gray.images.data), facts.images_nhw.values);
    assert.deepEqual(Array.from(gray.labels), [0, 3, 1, 2, 9]);
    assert.equal(gray.classes.length, 10);
    const colour = await loadNpyDataset(file('images_nhwc'), file('labels_i4'), { classes: ['x', 'y'], name: 'c' });
    assert.deepEqual(colour.images.shape, [2, 2, 2, 3]);
    assert.deepEqual(Array.from(colour.images.data), facts.images_nhwc.values);
    assert.deepEqual(colour.classes, ['x', 'y']);
    const u1 = await loadNpyDataset(file('images_nhw'), file('labels_u1'));
    assert.deepEqual(Array.from(u1.labels), [4, 0, 4, 1, 2]);
  });

  it('gzipped .npy files load the same', async () => {
    const gz = path.join(dir, 'u1_v1.npy.gz');
    writeFileSync(gz, gzipSync(readFileSync(file('u1_v1'))));
    assert.deepEqual(Array.from((await loadNpy(gz)).data), facts.u1_v1.values);
  });

  it('Fortran order is a clear error', async () => {
    await rejectsWith(loadNpy(file('fortran')), CORRUPT, file('fortran'), "Expected a C-order array ('fortran_order': False", "but found 'fortran_order': True");
  });

  it('unsupported dtypes: float64, big-endian float32, bool, structured', async () => {
    await rejectsWith(loadNpy(file('f8')), CORRUPT, file('f8'), "Expected a .npy dtype of '|u1', '<f4'", 'but found descr "<f8"');
    await rejectsWith(loadNpy(file('be_f4')), CORRUPT, 'but found descr ">f4"');
    await rejectsWith(loadNpy(file('bool')), CORRUPT, 'but found descr "|b1"');
    await rejectsWith(loadNpy(file('structured')), CORRUPT, file('structured'), 'structured or missing dtype');
  });

  it('integers that do not fit int32 are a RangeError naming the element', async () => {
    await assert.rejects(loadNpy(file('big_i8')), (e: RangeError) => e instanceof RangeError && e.message.includes('big_i8.npy[1]') && e.message.includes('1099511627776'));
  });

  it('bad headers: wrong magic, unknown version, not a dict, cut off', async () => {
    const good = readFileSync(file('u1_v1'));
    const variant = (name: string, edit: (b: Buffer) => Buffer) => {
      const target = path.join(dir, name);
      writeFileSync(target, edit(Buffer.from(good)));
      return target;
    };
    const magic = variant('magic.npy', (b) => ((b[1] = 0x4f), b));
    await rejectsWith(loadNpy(magic), CORRUPT, magic, 'Expected the .npy magic \\x93NUMPY', 'but found 93 4f 55 4d 50 59');
    const version = variant('version.npy', (b) => ((b[6] = 4), b));
    await rejectsWith(loadNpy(version), CORRUPT, 'Expected .npy format version 1.0, 2.0 or 3.0', 'but found 4.0');
    const notDict = variant('notdict.npy', (b) => (b.write("['descr', '|u1'] ", 10, 'latin1'), b));
    await rejectsWith(loadNpy(notDict), CORRUPT, notDict, "Expected a .npy header dict with 'descr', 'fortran_order' and 'shape'");
    const badShape = variant('badshape.npy', (b) => Buffer.from(b.toString('latin1').replace('(2, 3, 4)', '(2, x, 4)'), 'latin1'));
    await rejectsWith(loadNpy(badShape), CORRUPT, 'Expected a .npy shape of non-negative integers', '(2, x, 4)');
    const cutHeader = variant('cuthead.npy', (b) => b.subarray(0, 40));
    await rejectsWith(loadNpy(cutHeader), CORRUPT, cutHeader, 'Expected a .npy header of 118 bytes');
    const tiny = variant('tiny.npy', (b) => b.subarray(0, 7));
    await rejectsWith(loadNpy(tiny), CORRUPT, '(7 bytes)');
  });

  it('data cut off or with trailing bytes, empty and missing files', async () => {
    const good = readFileSync(file('f4_v2'));
    const cut = path.join(dir, 'cut.npy');
    writeFileSync(cut, good.subarray(0, good.length - 3));
    await rejectsWith(loadNpy(cut), CORRUPT, cut, 'Expected 24 data bytes for shape (2, 3) of <f4', 'but found 21 bytes (truncated)');
    const extra = path.join(dir, 'extra.npy');
    writeFileSync(extra, Buffer.concat([good, Buffer.alloc(4)]));
    await rejectsWith(loadNpy(extra), CORRUPT, 'but found 28 bytes (trailing data)');
    const empty = path.join(dir, 'empty.npy');
    writeFileSync(empty, '');
    await rejectsWith(loadNpy(empty), CORRUPT, `Expected a .npy file in ${empty} but found an empty file`);
    await rejectsWith(loadNpy(path.join(dir, 'missing.npy')), 'ERR_SSLMEM_FILE_NOT_FOUND', 'missing.npy');
  });

  it('loadNpyDataset rejects float images, wrong ranks, float labels and count mismatches', async () => {
    await rejectsWith(loadNpyDataset(file('f4_images'), file('labels_i4')), CORRUPT, "Expected uint8 images ('|u1')", "but found '<f4'");
    await rejectsWith(loadNpyDataset(file('u1_v3'), file('labels_i4')), CORRUPT, 'images of shape [N, H, W] or [N, H, W, C]', 'shape [3]');
    await rejectsWith(loadNpyDataset(file('images_nhw'), file('f4_v2')), CORRUPT, 'integer labels of shape [N]', "'<f4' shape [2, 3]");
    await rejectsWith(loadNpyDataset(file('images_nhw'), file('labels_i4')), 'ERR_SSLMEM_MISMATCH', `Expected 5 labels in ${file('labels_i4')}`, 'but found 2');
    await rejectsWith(loadNpyDataset(file('images_nhw'), file('neg_labels')), 'ERR_SSLMEM_MISMATCH', 'Expected labels in [0, 3]', 'but found -1 at index 0');
  });
});
