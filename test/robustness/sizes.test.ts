/**
 * Outputs too large for one typed array, or for memory, are a RangeError naming the argument that
 * sized them, thrown before anything is allocated (native/kernels/sizes.h); before, V8's
 * "ArrayBuffer allocation failed" ended the process (exit 134), and shapes whose element count
 * wraps 64 bits passed for short arrays.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { alignDifference } from '../../lib/align';
import { applyParams, augment, sampleParams } from '../../lib/augment';
import { kernels } from '../../lib/binding';

function rangeNaming(arg: string) {
  return (error: Error & { code?: string }) => {
    assert.ok(error instanceof RangeError, `${error.constructor.name}: ${error.message}`);
    assert.equal(error.code, 'ERR_SSLMEM_OUT_OF_RANGE');
    assert.ok(error.message.includes(` for ${arg} but received `), error.message);
    return true;
  };
}

const images = (n: number) => ({ data: new Uint8Array(n * 32 * 32 * 3).fill(90), shape: [n, 32, 32, 3] });

describe('robustness: output sizes', () => {
  it('augment with 64 images x 1e6 views (2e11 floats) is a RangeError naming options.views', async () => {
    await assert.rejects(augment(images(64), { pipeline: 'simclr-cifar', views: 1_000_000, seed: 1 }), rangeNaming('options.views'));
  });

  it('applyParams on a 16384 x 16384 crop of 64 images is a RangeError naming params[0].size', async () => {
    const [[view]] = await sampleParams(images(1), { pipeline: 'simclr-cifar', views: 1, seed: 1 });
    const params = Array.from({ length: 64 }, () => [{ ...view, size: [16384, 16384] as [number, number] }]);
    await assert.rejects(applyParams(images(64), params), rangeNaming('params[0].size'));
  });

  it('a shape whose element count wraps 64 bits does not pass for an empty array at the binding', async () => {
    const raw = kernels();
    for (const shape of [[2 ** 33, 2 ** 31, 1], [2 ** 32, 2, 2 ** 31]]) {
      await assert.rejects(Promise.resolve().then(() => raw.alignPairStats({ data: new Float32Array(0), shape }, {})), rangeNaming('reprs.shape'));
    }
  });

  it('an output within the typed-array limit but beyond memory is a RangeError, not an abort (child under a 4 GB address-space limit)', () => {
    const script =
      `require(${JSON.stringify(require.resolve('../../lib/augment'))}).augment({data: new Uint8Array(3072), shape: [1, 32, 32, 3]}, ` +
      `{pipeline: 'simclr-cifar', views: 1000000, seed: 1}).then(() => console.log('resolved'), (e) => console.log(e.constructor.name, e.code, e.message))`;
    const child = spawnSync('/bin/sh', ['-c', `ulimit -v 4000000; exec "${process.execPath}" -e "$0"`, script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.signal, null, child.stderr);
    assert.match(child.stdout, /^RangeError ERR_SSLMEM_OUT_OF_RANGE Expected an output that fits in memory for options\.views/);
  });

  it('scratch beyond memory is a RangeError naming what sized it, not ERR_SSLMEM_OUT_OF_MEMORY from a worker (child under a 4 GB address-space limit)', () => {
    // A 16384-row image cropped to one 16384-wide row with antialias: the x-resized plane is 3 x 16384 x 16384
    // floats (3.2 GB) for 48 KB in and 192 KB out; all-pairs of 70000 views keeps 2.4e9 pairs for 280 KB in.
    const script = `
      const { augment } = require(${JSON.stringify(require.resolve('../../lib/augment'))});
      const { align, alignDifference } = require(${JSON.stringify(require.resolve('../../lib/align'))});
      const show = (e) => console.log(e.constructor.name, e.code, e.message);
      (async () => {
        const tall = { data: new Uint8Array(16384 * 3).fill(7), shape: [1, 16384, 1, 3] };
        const wide = { views: [{ crop: { scale: [1, 1], ratio: [1e-5, 1e-5], antialias: true }, size: [1, 16384] }] };
        await augment(tall, { pipeline: wide, views: 1, seed: 1, threads: 1 }).then(() => console.log('resolved'), show);
        const reprs = { data: new Float32Array(70000).fill(1), shape: [1, 70000, 1] };
        await align(reprs, { pairing: 'all-pairs', threads: 1 }).then(() => console.log('resolved'), show);
        await alignDifference(reprs, reprs, { pairing: 'all-pairs', threads: 1 }).then(() => console.log('resolved'), show);
      })();`;
    const child = spawnSync('/bin/sh', ['-c', `ulimit -v 4000000; exec "${process.execPath}" -e "$0"`, script], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(child.signal, null, child.stderr);
    const lines = child.stdout.trim().split('\n');
    assert.equal(lines.length, 3, child.stdout + child.stderr);
    assert.match(lines[0], /^RangeError ERR_SSLMEM_OUT_OF_RANGE Expected scratch memory that fits in memory for pipeline\.views\[0\]\.size but received 805306368 elements/);
    assert.match(lines[1], /^RangeError ERR_SSLMEM_OUT_OF_RANGE Expected scratch memory that fits in memory for reprs\.shape\[1\] but received 2449965000 pairs per point/);
    assert.match(lines[2], /^RangeError ERR_SSLMEM_OUT_OF_RANGE Expected scratch of at most 4294967296 elements per thread .* for f\.shape\[1\]/);
  });

  it('scratch past the per-thread limit is refused before anything is allocated (sizes.h scratch_elements)', async () => {
    // alignDifference keeps two values per pair per thread: all-pairs of 70000 views is 2449965000 pairs (an
    // output of that many would be allowed), 4.9e9 scratch values, past 2^32.
    const reprs = { data: new Float32Array(70000).fill(1), shape: [1, 70000, 1] };
    await assert.rejects(alignDifference(reprs, reprs, { pairing: 'all-pairs', threads: 1 }), (error: Error & { code?: string }) => {
      rangeNaming('f.shape[1]')(error);
      assert.match(error.message, /Expected scratch of at most 4294967296 elements per thread \(one value per pair under f and one under g, per thread\) for f\.shape\[1\] but received 2449965000 x 2 elements/);
      return true;
    });
  });
});
