/**
 * Every data format sslmem reads, damaged (truncated, single bits flipped, 4 KiB pages zeroed at
 * seeded offsets): each copy either loads or fails with a coded error naming the file, never a crash,
 * a hang or an uncoded error. What cannot be detected is stated per format (docs/errors.md,
 * "Corrupt files"): formats without a checksum (raw IDX, .npy, CIFAR, score parts) load a flipped
 * pixel or digit as data, while gzip's CRC-32 and length catch every damage to a .gz file.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { loadCifar, loadIdx, loadImageFolder, loadNpyDataset } from '../../lib/data';
import { finalizeScores, PointScore, readPart, ScoreRunInfo, writePart, writeScoreOutputs } from '../../lib/score';
import { readRunDirectory } from '../../lib/report/rundir';
import { damagedCopies, Damage } from '../support/corrupt';
import { mulberry32 } from '../support/mulberry32';
import { tempDir } from './helpers';

type Outcome = 'loaded' | 'rejected';

/** Loads every damaged copy of `original` (written at `file`); asserts each rejection is coded and names the file. */
async function tally(file: string, original: Uint8Array, damages: Damage[], load: () => Promise<unknown>): Promise<Record<Damage['kind'], Record<Outcome, number>>> {
  const counts = { truncate: { loaded: 0, rejected: 0 }, flip: { loaded: 0, rejected: 0 }, zero: { loaded: 0, rejected: 0 } };
  for (const damage of damages) {
    fs.writeFileSync(file, damage.bytes);
    try {
      await load();
      counts[damage.kind].loaded++;
    } catch (error) {
      const e = error as Error & { code?: string };
      assert.match(String(e.code), /^ERR_SSLMEM_/, `${damage.what}: uncoded ${e.name}: ${e.message}`);
      assert.ok(e.message.includes(file), `${damage.what}: "${e.message}" should name ${file}`);
      if (process.env.SSLMEM_DEBUG_CORRUPT) console.log(damage.what, e.message);
      counts[damage.kind].rejected++;
    }
  }
  fs.writeFileSync(file, original);
  return counts;
}

function idxBytes(dims: number[], data: Uint8Array): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

function npyBytes(descr: string, shape: number[], data: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header = header.padEnd(64 * Math.ceil((header.length + 11) / 64) - 11) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(prefix);
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]);
}

function seededBytes(n: number, seed: number, max = 256): Uint8Array {
  const random = mulberry32(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(random() * max));
}

describe('data: damaged files give coded errors naming the file, or load (documented)', function () {
  this.timeout(120000);
  const dir = tempDir();
  const n = 40;

  it('IDX: gzipped files reject every truncation, flip and zeroed page; raw files every truncation', async () => {
    const images = path.join(dir, 'train-images-idx3-ubyte');
    const labels = path.join(dir, 'train-labels-idx1-ubyte');
    const raw = idxBytes([n, 28, 28], seededBytes(n * 784, 1));
    fs.writeFileSync(labels, idxBytes([n], seededBytes(n, 2, 10)));
    const gz = zlib.gzipSync(raw);
    const gzCounts = await tally(images, gz, damagedCopies(gz, 11, 20), () => loadIdx(images, labels));
    // gzip's trailer holds the CRC-32 and length of the data (RFC 1952): nothing damaged gets through.
    for (const kind of ['truncate', 'flip', 'zero'] as const) assert.equal(gzCounts[kind].loaded, 0, `${kind}: ${JSON.stringify(gzCounts)}`);
    const rawCounts = await tally(images, raw, damagedCopies(raw, 12, 20), () => loadIdx(images, labels));
    // The exact byte length catches every cut; a flipped pixel is still a valid IDX file.
    assert.equal(rawCounts.truncate.loaded, 0);
    assert.ok(rawCounts.flip.loaded > 0, 'raw IDX pixels carry no checksum: most flips load as data');
  });

  it('.npy: every truncation rejects; flipped data bytes load', async () => {
    const images = path.join(dir, 'images.npy');
    const labels = path.join(dir, 'labels.npy');
    const bytes = npyBytes('|u1', [n, 28, 28], seededBytes(n * 784, 3));
    fs.writeFileSync(labels, npyBytes('|u1', [n], seededBytes(n, 4, 10)));
    const counts = await tally(images, bytes, damagedCopies(bytes, 13, 30), () => loadNpyDataset(images, labels));
    assert.equal(counts.truncate.loaded, 0, JSON.stringify(counts));
  });

  it('CIFAR binary batches: cuts that are not whole records reject; labels and pixels are unchecked', async () => {
    const batch = path.join(dir, 'data_batch_1.bin');
    const records = seededBytes(8 * 3073, 5);
    for (let r = 0; r < 8; r++) records[r * 3073] %= 10;
    const counts = await tally(batch, records, damagedCopies(records, 14, 30), () => loadCifar([batch], { format: 'cifar-10' }));
    assert.ok(counts.truncate.rejected >= 28, JSON.stringify(counts)); // a cut at a record boundary is a valid shorter file
  });

  it('image folders: a damaged PNG rejects naming the image (PNG chunks carry CRC-32s)', async () => {
    const root = path.join(dir, 'folder');
    for (const cls of ['a', 'b']) fs.mkdirSync(path.join(root, cls), { recursive: true });
    await sharp(Buffer.from(seededBytes(16 * 16 * 3, 6)), { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(path.join(root, 'a', '0.png'));
    const png = path.join(root, 'b', '0.png');
    await sharp(Buffer.from(seededBytes(16 * 16 * 3, 7)), { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(png);
    const bytes = fs.readFileSync(png);
    const counts = await tally(png, bytes, damagedCopies(bytes, 15, 20, ['truncate', 'flip']), () => loadImageFolder(root));
    assert.equal(counts.truncate.loaded, 0, JSON.stringify(counts));
    // libvips checks the IDAT stream (zlib adler-32) and fails on bad headers; a flip in an ancillary chunk's CRC can still load.
    assert.ok(counts.flip.rejected >= 15, JSON.stringify(counts));
  });

  it('run directories (scores.csv, summary.json) and score parts: damage is rejected or parses as other numbers', async () => {
    const run: ScoreRunInfo = { mode: 'anchor', metric: 'l2-normalized', pairing: 'anchor', views: 7, pairsPerPoint: 7, adaptive: null, pipeline: { views: [{}] }, seed: 4 };
    const points: PointScore[] = Array.from({ length: 30 }, (_, i) => ({ index: i, group: ['candidates', 'independent'][i % 2], label: i % 3, lossF: 0.4 + 0.001 * i, lossG: 0.41, m: 0.01 * Math.sin(i), se: 0.003, count: 7 }));
    const out = path.join(dir, 'run');
    writeScoreOutputs(out, finalizeScores(points, run));
    for (const name of ['scores.csv', 'summary.json']) {
      const file = path.join(out, name);
      const bytes = fs.readFileSync(file);
      const counts = await tally(file, bytes, damagedCopies(bytes, 16, 20), async () => readRunDirectory(out));
      assert.ok(counts.truncate.rejected + counts.flip.rejected + counts.zero.rejected > 0, `${name}: ${JSON.stringify(counts)}`);
    }
    const part = path.join(dir, 'part-0-of-1.json');
    writePart(part, { format: 'sslmem-scores-part/1', shard: { index: 0, count: 1 }, total: points.length, run, points });
    const bytes = fs.readFileSync(part);
    const counts = await tally(part, bytes, damagedCopies(bytes, 17, 20), async () => readPart(part));
    assert.ok(counts.truncate.rejected >= 18, JSON.stringify(counts));
  });
});
