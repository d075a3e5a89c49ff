/**
 * Reads that cannot end on their own are bounded: a device (/dev/zero), a pipe that never closes,
 * a gzip bomb. And when one file of a dataset fails, the dataset's other reads stop.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { loadIdx, openDataset } from '../../lib/data';
import { readDataFile, readDataFiles } from '../../lib/data/files';
import { rejectsWith, tempDir } from './helpers';

/** A gzip file of `members` concatenated members of 16 MiB of zeros each (RFC 1952 allows members back to back). */
function gzipBomb(file: string, members: number): void {
  const member = zlib.gzipSync(Buffer.alloc(16 << 20), { level: 9 });
  fs.writeFileSync(file, Buffer.concat(Array.from({ length: members }, () => member)));
}

describe('data: bounded reads', function () {
  this.timeout(60000);
  const dir = tempDir();

  it('/dev/zero as a dataset fails at once, naming it', async () => {
    const labels = path.join(dir, 'labels-idx1-ubyte');
    fs.writeFileSync(labels, Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 0]));
    await rejectsWith(openDataset('/dev/zero', { format: 'idx', labels }), 'ERR_SSLMEM_CORRUPT_FILE', '/dev/zero', 'a device or socket');
    await rejectsWith(readDataFile('/dev/zero', 'an IDX file'), 'ERR_SSLMEM_CORRUPT_FILE', '/dev/zero');
  });

  it('a pipe that never ends fails at the byte bound', async function () {
    const fifo = path.join(dir, 'endless');
    if (spawnSync('mkfifo', [fifo]).status !== 0) this.skip();
    const writer = spawn('sh', ['-c', `exec cat /dev/zero > '${fifo}'`], { stdio: 'ignore' });
    try {
      await rejectsWith(readDataFile(fifo, 'an IDX file', { maxBytes: 8 << 20 }), 'ERR_SSLMEM_CORRUPT_FILE', fifo, 'at most 8388608 bytes');
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('a file over the bound fails before it is read', async () => {
    const file = path.join(dir, 'big.bin');
    fs.writeFileSync(file, Buffer.alloc(1 << 20, 1));
    await rejectsWith(readDataFile(file, 'a CIFAR batch', { maxBytes: 1000 }), 'ERR_SSLMEM_CORRUPT_FILE', file, 'on disk');
  });

  it('a gzip bomb fails at the bound after gunzip', async () => {
    const bomb = path.join(dir, 'bomb-images-idx3-ubyte.gz');
    gzipBomb(bomb, 8); // 128 MiB of zeros in about 130 KB
    assert.ok(fs.statSync(bomb).size < 1 << 20);
    await rejectsWith(readDataFile(bomb, 'an IDX file', { maxBytes: 32 << 20 }), 'ERR_SSLMEM_CORRUPT_FILE', bomb, 'after gunzip', 'gzip bomb');
  });

  it('an abort stops a gunzip under way', async () => {
    const bomb = path.join(dir, 'bomb2.gz');
    gzipBomb(bomb, 64); // 1 GiB of zeros: seconds to gunzip
    const controller = new AbortController();
    const read = readDataFile(bomb, 'an IDX file', { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await rejectsWith(read, 'ABORT_ERR');
  });

  it('when one file fails, the others are aborted: the dataset rejects with that file\'s error', async () => {
    const bomb = path.join(dir, 'bomb3-images-idx3-ubyte.gz');
    gzipBomb(bomb, 8); // 128 MiB
    const missing = path.join(dir, 'missing-labels-idx1-ubyte');
    // A full gunzip of the same bomb, started alongside, is the yardstick. readDataFiles settles every
    // read before it rejects, so rejecting while the yardstick still runs means the bomb's gunzip
    // inside loadIdx was aborted rather than left to finish (128 MiB in 1 MiB chunks).
    let yardstickDone = false;
    const yardstick = readDataFile(bomb, 'an IDX file').then(() => (yardstickDone = true));
    await rejectsWith(loadIdx(bomb, missing), 'ERR_SSLMEM_FILE_NOT_FOUND', missing);
    assert.equal(yardstickDone, false);
    await yardstick;
  });
});
