import { strict as assert } from 'node:assert';
import { alignBackends, alignMetrics, pairings } from '../../lib/align';
import { kernels } from '../../lib/binding';
import { Float32Tensor } from '../../lib/tensor';
import { adversarialSets, assertClose, randomReprs } from './reference';

/**
 * Every SIMD backend this CPU runs must agree with the serial one on the same data, edge cases
 * included. They differ only in float64 summation order, so agreement is to ~1e-15 relative; the
 * bound used is 1e-13 relative (plus 1e-15 absolute for values that cancel to ~0).
 */
describe('align backends: dispatch once at load, every backend agrees with serial', () => {
  const { selected, available } = alignBackends();

  it('reports the best available backend, the same one capabilities() names', () => {
    assert.equal(available[0], 'serial');
    assert.equal(selected, available[available.length - 1]);
    assert.equal(selected, kernels().capabilities().simd);
  });

  const sets: Record<string, Float32Tensor> = {
    ...adversarialSets(),
    // Lengths that exercise the 16/32-wide main loops, the 4/8-wide loop and the scalar tail.
    wide: randomReprs(5, 4, 2048 + 13, 301),
    d128: randomReprs(9, 3, 128, 302),
    d7: randomReprs(9, 3, 7, 303),
  };
  for (const backend of available.filter((b) => b !== 'serial')) {
    it(`${backend} agrees with serial on every data set, metric and pairing`, async () => {
      for (const [name, reprs] of Object.entries(sets)) {
        for (const metric of alignMetrics) {
          for (const pairing of pairings) {
            const options = { metric, pairing, returnPairs: true, checkFinite: true, threads: 1 };
            const ref = await kernels().alignPairStats(reprs, { ...options, backend: 'serial' });
            const got = await kernels().alignPairStats(reprs, { ...options, backend });
            const what = `${backend}/${name}/${metric}/${pairing}`;
            assertClose(got.mean, ref.mean, 1e-13, 1e-15, `${what} mean`);
            assertClose(got.std, ref.std, 1e-13, ref.mean.map((m) => 1e-15 + 1e-13 * Math.abs(m)), `${what} std`);
            assertClose(got.pairs!.data, ref.pairs!.data, 2 ** -23, 1e-15, `${what} pairs`);
          }
        }
      }
    });
  }

  it('the serial backend alone also works through the native options', async () => {
    const r = await kernels().alignPairStats(randomReprs(2, 3, 4, 304), { backend: 'serial' });
    assert.equal(r.count, 2);
  });
});
