import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { loadImageFolder } from '../../lib/data';
import { python, rejectsWith, tempDir } from './helpers';

/** Writes raw HWC pixels as a PNG (lossless) or JPEG; 1-channel images become greyscale files. */
async function writeImage(file: string, width: number, height: number, channels: 1 | 3 | 4, pixels: number[], format: 'png' | 'jpeg' = 'png'): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  let image = sharp(Buffer.from(pixels), { raw: { width, height, channels } });
  if (channels === 1) image = image.toColourspace('b-w');
  await (format === 'png' ? image.png() : image.jpeg({ quality: 100, chromaSubsampling: '4:4:4' })).toFile(file);
}

const RGB_2x2 = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
const GREY_2x2 = [0, 50, 100, 255];
const RGBA_2x2 = [1, 2, 3, 0, 4, 5, 6, 128, 7, 8, 9, 255, 200, 201, 202, 17];

describe('data/folder: class-per-folder PNG/JPEG trees decoded with sharp', () => {
  const dir = tempDir();
  const tree = path.join(dir, 'tree');

  /** The shared tree; `hidden` adds a hidden folder, which sslmem skips but torchvision would take as a class. */
  async function makeTree(root: string, hidden: boolean): Promise<void> {
    // Created out of order: classes must come back sorted by name.
    await writeImage(path.join(root, 'dog', 'b.png'), 2, 2, 1, GREY_2x2);
    await writeImage(path.join(root, 'dog', 'a.png'), 2, 2, 3, RGB_2x2);
    await writeImage(path.join(root, 'cat', 'z.png'), 2, 2, 4, RGBA_2x2);
    await writeImage(path.join(root, 'bird', 'only.png'), 2, 2, 3, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2]);
    writeFileSync(path.join(root, 'README.txt'), 'plain files at the root are not images of a class');
    writeFileSync(path.join(root, 'dog', '.DS_Store'), 'hidden files are skipped');
    if (hidden) mkdirSync(path.join(root, '.cache'));
  }

  before(() => makeTree(tree, true));

  it('classes sorted by name, files sorted inside each, exact PNG pixels (colour, grey, alpha dropped)', async () => {
    const ds = await loadImageFolder(tree);
    assert.deepEqual(ds.classes, ['bird', 'cat', 'dog']);
    assert.deepEqual(Array.from(ds.labels), [0, 1, 2, 2]);
    assert.deepEqual(ds.images.shape, [4, 2, 2, 3]);
    const image = (i: number) => Array.from(ds.images.data.subarray(i * 12, (i + 1) * 12));
    assert.deepEqual(image(0), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2]);
    assert.deepEqual(image(1), [1, 2, 3, 4, 5, 6, 7, 8, 9, 200, 201, 202]); // RGBA: alpha dropped, not blended
    assert.deepEqual(image(2), RGB_2x2); // dog/a.png before dog/b.png
    assert.deepEqual(image(3), [0, 0, 0, 50, 50, 50, 100, 100, 100, 255, 255, 255]); // grey replicated to RGB
  });

  it('agrees with torchvision ImageFolder + PIL convert("RGB") on order, labels and pixels', async () => {
    const plain = path.join(dir, 'plain');
    await makeTree(plain, false);
    const ds = await loadImageFolder(plain);
    const oracle = python<{ classes: string[]; samples: [string, number][]; pixels: number[][] }>('image_folder.py', [plain]);
    assert.deepEqual(ds.classes, oracle.classes);
    assert.deepEqual(Array.from(ds.labels), oracle.samples.map((s) => s[1]));
    assert.deepEqual(Array.from(ds.images.data), oracle.pixels.flat());
  });

  it('an all-grey tree loads with 1 channel by default; channels: 1 converts colour to one channel', async () => {
    const grey = path.join(dir, 'grey');
    await writeImage(path.join(grey, 'a', '1.png'), 2, 2, 1, GREY_2x2);
    await writeImage(path.join(grey, 'b', '1.png'), 2, 2, 1, [1, 2, 3, 4]);
    const ds = await loadImageFolder(grey);
    assert.deepEqual(ds.images.shape, [2, 2, 2, 1]);
    assert.deepEqual(Array.from(ds.images.data), [...GREY_2x2, 1, 2, 3, 4]);
    const mono = await loadImageFolder(tree, { channels: 1 });
    assert.deepEqual(mono.images.shape, [4, 2, 2, 1]);
    assert.deepEqual(Array.from(mono.images.data.subarray(12, 16)), GREY_2x2); // grey stays exact
    const [red, green, blue] = mono.images.data.subarray(8, 11); // dog/a.png: pure red, green, blue
    assert.ok(green > red && red > blue, `luminance order green > red > blue, got ${[red, green, blue]}`);
  });

  it('JPEG decodes close to the written colour (lossy)', async () => {
    const jpeg = path.join(dir, 'jpeg');
    const flat = Array.from({ length: 16 * 16 }, () => [200, 100, 50]).flat();
    await writeImage(path.join(jpeg, 'c', 'flat.jpg'), 16, 16, 3, flat, 'jpeg');
    const ds = await loadImageFolder(jpeg);
    assert.deepEqual(ds.images.shape, [1, 16, 16, 3]);
    ds.images.data.forEach((v, i) => assert.ok(Math.abs(v - flat[i]) <= 3, `pixel ${i}: ${v} vs ${flat[i]}`));
  });

  it('images of different sizes: a clear error without size, resized to [h, w] with it', async () => {
    const mixed = path.join(dir, 'mixed');
    await writeImage(path.join(mixed, 'a', 'small.png'), 2, 2, 3, new Array(12).fill(77));
    await writeImage(path.join(mixed, 'b', 'wide.png'), 5, 3, 3, new Array(45).fill(140));
    await rejectsWith(
      loadImageFolder(mixed),
      'ERR_SSLMEM_MISMATCH',
      'Expected every image to be 2x2 (height x width)',
      path.join(mixed, 'a', 'small.png'),
      `but found 3x5 in ${path.join(mixed, 'b', 'wide.png')}`,
    );
    const ds = await loadImageFolder(mixed, { size: [4, 6] });
    assert.deepEqual(ds.images.shape, [2, 4, 6, 3]);
    // A flat image stays flat under any resampling kernel whose weights sum to one.
    assert.ok(ds.images.data.subarray(0, 72).every((v) => v === 77));
    assert.ok(ds.images.data.subarray(72).every((v) => v === 140));
    assert.deepEqual((await loadImageFolder(mixed, { size: 3 })).images.shape, [2, 3, 3, 3]);
  });

  it('a non-image file in a class folder is a corrupt-file error naming it', async () => {
    const bad = path.join(dir, 'bad');
    await writeImage(path.join(bad, 'a', 'ok.png'), 2, 2, 3, RGB_2x2);
    writeFileSync(path.join(bad, 'a', 'notes.txt'), 'not an image');
    await rejectsWith(loadImageFolder(bad), 'ERR_SSLMEM_CORRUPT_FILE', `Expected a PNG or JPEG image in ${path.join(bad, 'a', 'notes.txt')}`, 'sharp cannot decode');
    const truncated = path.join(dir, 'truncated');
    await writeImage(path.join(truncated, 'a', 'ok.png'), 8, 8, 3, new Array(192).fill(3));
    const png = await sharp(Buffer.from(new Array(192).fill(5)), { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer();
    writeFileSync(path.join(truncated, 'a', 'cut.png'), png.subarray(0, png.length - 30));
    await rejectsWith(loadImageFolder(truncated), 'ERR_SSLMEM_CORRUPT_FILE', path.join(truncated, 'a', 'cut.png'));
  });

  it('missing root, a file as root, no class folder, an empty class folder', async () => {
    await rejectsWith(loadImageFolder(path.join(dir, 'none')), 'ERR_SSLMEM_FILE_NOT_FOUND', 'a folder of class folders');
    await rejectsWith(loadImageFolder(path.join(tree, 'README.txt')), 'ERR_SSLMEM_CORRUPT_FILE', 'but found a file');
    const flat = path.join(dir, 'flat');
    await writeImage(path.join(flat, 'x.png'), 2, 2, 3, RGB_2x2);
    await rejectsWith(loadImageFolder(flat), 'ERR_SSLMEM_CORRUPT_FILE', 'at least one class folder', 'but found no sub-folder');
    const emptyClass = path.join(dir, 'emptyclass');
    await writeImage(path.join(emptyClass, 'a', 'x.png'), 2, 2, 3, RGB_2x2);
    mkdirSync(path.join(emptyClass, 'b'));
    await rejectsWith(loadImageFolder(emptyClass), 'ERR_SSLMEM_CORRUPT_FILE', 'at least one image in class folder "b"');
  });

  it('reports progress, stops on an AbortSignal, and validates options', async () => {
    const seen: number[] = [];
    await loadImageFolder(tree, { onProgress: ({ done, total }) => seen.push(done * 10 + total) });
    assert.deepEqual(seen, [14, 24, 34, 44]);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(loadImageFolder(tree, { signal: controller.signal }), { name: 'AbortError' });
    await assert.rejects(loadImageFolder(tree, { channels: 2 as 1 }), /Expected 1 or 3 for options.channels but received the number 2/);
    await assert.rejects(loadImageFolder(tree, { size: [0, 4] }), /options.size\[0\]/);
    await assert.rejects(loadImageFolder(tree, { size: [1, 2, 3] as unknown as [number, number] }), TypeError);
  });
});
