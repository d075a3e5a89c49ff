import { strict as assert } from 'node:assert';
import { align, alignDifference, alignMetrics, Float16BitsTensor, pairings } from '../../lib/align';
import { kernels } from '../../lib/binding';
import { Float32Tensor } from '../../lib/tensor';
import { uniform } from './reference';

/** IEEE 754 binary16 bits -> number, written from the format's definition. */
function decodeHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Random finite halves [n, v, d]; `exponents` limits the biased exponent range (0..30). */
function randomHalves(n: number, v: number, d: number, seed: number, exponents: [number, number]): Float16BitsTensor {
  const u = uniform(seed);
  const data = new Uint16Array(n * v * d);
  for (let i = 0; i < data.length; i++) {
    const e = exponents[0] + Math.floor(u() * (exponents[1] - exponents[0] + 1));
    data[i] = (u() < 0.5 ? 0x8000 : 0) | (e << 10) | Math.floor(u() * 1024);
  }
  return { data, shape: [n, v, d] };
}

function decoded(t: Float16BitsTensor): Float32Tensor {
  return { data: Float32Array.from(t.data, decodeHalf), shape: [...t.shape] };
}

describe('align: float16 input (Uint16Array of IEEE half bits)', () => {
  it('the test decoder is right on known halves', () => {
    assert.equal(decodeHalf(0x3c00), 1);
    assert.equal(decodeHalf(0xc000), -2);
    assert.equal(decodeHalf(0x7bff), 65504);
    assert.equal(decodeHalf(0x0001), 2 ** -24);
    assert.equal(decodeHalf(0x0400), 2 ** -14);
    assert.equal(decodeHalf(0x8000), -0);
    assert.equal(decodeHalf(0xfc00), -Infinity);
  });

  const sets: Record<string, Float16BitsTensor> = {
    typical: randomHalves(11, 6, 77, 501, [10, 17]),
    // Every finite exponent, subnormals and zeros included: norms from ~1e-7 to ~6e4.
    fullRange: randomHalves(9, 5, 40, 502, [0, 30]),
    subnormalOnly: randomHalves(4, 3, 9, 503, [0, 0]),
  };

  for (const [name, halves] of Object.entries(sets)) {
    it(`"${name}": results are bit-identical to the float32 path on the decoded values, on every backend`, async () => {
      const floats = decoded(halves);
      for (const backend of kernels().alignBackends().available) {
        for (const metric of alignMetrics) {
          for (const pairing of pairings) {
            const options = { metric, pairing, returnPairs: true, backend, threads: 2 };
            const a = await kernels().alignPairStats(halves, options);
            const b = await kernels().alignPairStats(floats, options);
            const what = `${name}/${backend}/${metric}/${pairing}`;
            assert.deepEqual(Buffer.from(a.mean.buffer), Buffer.from(b.mean.buffer), what);
            assert.deepEqual(Buffer.from(a.std.buffer), Buffer.from(b.std.buffer), what);
            assert.deepEqual(a.pairs, b.pairs, what);
          }
        }
      }
    });
  }

  it('through the public API, align and alignDifference accept halves and match float32', async () => {
    const f = sets.typical, g = randomHalves(11, 6, 77, 504, [10, 17]);
    assert.deepEqual(await align(f, { pairing: 'pairs' }), await align(decoded(f), { pairing: 'pairs' }));
    assert.deepEqual(await alignDifference(f, g, { metric: 'cosine-distance' }), await alignDifference(decoded(f), decoded(g), { metric: 'cosine-distance' }));
  });

  it('NaN and Infinity halves name the first bad row; mixed dtypes are a TypeError', async () => {
    const bad = { data: new Uint16Array(sets.typical.data), shape: sets.typical.shape };
    bad.data[(1 * 6 + 2) * 77 + 40] = 0x7e00; // NaN at point 1, view 2
    await assert.rejects(align(bad), /^RangeError: reprs row \[point 1, view 2\] contains NaN/);
    bad.data[(0 * 6 + 4) * 77] = 0xfc00; // -Infinity, an earlier row
    await assert.rejects(alignDifference(sets.typical, bad), /^RangeError: g row \[point 0, view 4\] contains -Infinity/);
    await assert.rejects(alignDifference(sets.typical, decoded(sets.typical)), (e: Error) =>
      e instanceof TypeError && /Expected a Uint16Array like f\.data for g\.data but received a Float32Array/.test(e.message));
  });
});
