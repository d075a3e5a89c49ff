/**
 * Outputs too large for one typed array, or for memory, are a RangeError naming the argument that
 * sized them, thrown before anything is allocated (native/kernels/sizes.h); before, V8's
 * "ArrayBuffer allocation failed" ended the process (exit 134), and shapes whose element count
 * wraps 64 bits passed for short arrays.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
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
});
