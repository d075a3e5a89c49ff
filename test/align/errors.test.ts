import { strict as assert } from 'node:assert';
import { align, alignDifference, AlignOptions } from '../../lib/align';
import { kernels } from '../../lib/binding';
import { Float32Tensor } from '../../lib/tensor';
import { randomReprs } from './reference';

type Coded = Error & { code?: string };

async function rejects(promise: Promise<unknown>, kind: ErrorConstructor | RangeErrorConstructor | TypeErrorConstructor, message: RegExp) {
  await assert.rejects(promise, (e: Coded) => {
    assert.ok(e instanceof kind, `expected ${kind.name}, got ${e.constructor.name}: ${e.message}`);
    assert.match(e.message, message);
    return true;
  });
}

describe('align: bad input gives clear errors', () => {
  const good = randomReprs(6, 4, 8, 201);

  it('wrong dtype is a TypeError naming reprs.data', async () => {
    await rejects(align({ data: new Float64Array(6 * 4 * 8), shape: [6, 4, 8] } as unknown as Float32Tensor), TypeError,
      /^Expected a Float32Array for reprs\.data but received a Float64Array of length 192$/);
    await rejects(align(new Float32Array(4) as unknown as Float32Tensor), TypeError, /for reprs but received a Float32Array/);
  });

  it('rank other than 3, no points, fewer than 2 views or D = 0 are RangeErrors naming the dimension', async () => {
    await rejects(align({ data: good.data, shape: [24, 8] }), RangeError, /Expected rank 3 for reprs\.shape but received rank 2/);
    await rejects(align({ data: new Float32Array(0), shape: [0, 4, 8] }), RangeError, /reprs\.shape\[0\]/);
    await rejects(align({ data: new Float32Array(8), shape: [1, 1, 8] }), RangeError, /at least 2 views .* for reprs\.shape\[1\] but received the number 1/);
    await rejects(align({ data: new Float32Array(0), shape: [3, 4, 0] }), RangeError, /reprs\.shape\[2\]/);
    await rejects(align({ data: good.data, shape: [6, 4, 9] }), RangeError, /216 elements .* for reprs\.data but received 192/);
  });

  it('bad options are named', async () => {
    await rejects(align(good, { metric: 'euclid' } as unknown as AlignOptions), RangeError, /options\.metric .* "euclid"/);
    await rejects(align(good, { pairing: 'random' } as unknown as AlignOptions), RangeError, /options\.pairing/);
    await rejects(align(good, { threads: -1 }), RangeError, /options\.threads/);
    await rejects(align(good, { returnPairs: 'yes' } as unknown as AlignOptions), TypeError, /options\.returnPairs/);
    await rejects(align(good, 'fast' as unknown as AlignOptions), TypeError, /for options but received the string "fast"/);
  });

  it('NaN or Infinity fails naming the first bad row, unless checkFinite is false', async () => {
    const bad = { data: new Float32Array(good.data), shape: good.shape };
    bad.data[(3 * 4 + 1) * 8 + 5] = NaN; // point 3, view 1
    bad.data[(5 * 4 + 0) * 8 + 2] = Infinity; // a later row
    await rejects(align(bad), RangeError, /^reprs row \[point 3, view 1\] contains NaN/);
    await rejects(align(bad, { threads: 1, pairing: 'pairs' }), RangeError, /^reprs row \[point 3, view 1\] contains NaN/);
    const skipped = await align(bad, { checkFinite: false });
    assert.ok(Number.isNaN(skipped.mean[3]));
    assert.ok(Number.isFinite(skipped.mean[0]) && Number.isFinite(skipped.mean[4]));
    const inf = { data: new Float32Array(good.data), shape: good.shape };
    inf.data[(2 * 4 + 3) * 8] = -Infinity;
    await rejects(align(inf), RangeError, /^reprs row \[point 2, view 3\] contains -Infinity/);
  });

  it('alignDifference: mismatched shapes and non-finite rows of f or g are named', async () => {
    const other = randomReprs(6, 5, 8, 202);
    await rejects(alignDifference(good, other), RangeError, /Expected the shape of f \[6, 4, 8\] for g\.shape but received \[6, 5, 8\]/);
    const g = { data: new Float32Array(good.data), shape: good.shape };
    g.data[(1 * 4 + 2) * 8 + 7] = Infinity;
    await rejects(alignDifference(good, g), RangeError, /^g row \[point 1, view 2\] contains Infinity/);
    await rejects(alignDifference(g, good), RangeError, /^f row \[point 1, view 2\] contains Infinity/);
    const skipped = await alignDifference(good, g, { checkFinite: false });
    assert.ok(Number.isNaN(skipped.meanDiff[1]) && Number.isFinite(skipped.meanDiff[0]));
  });

  it('the native side checks on its own too (shapes, backends), with TypeError/RangeError', async () => {
    const k = kernels();
    assert.throws(() => k.alignDifference(good, randomReprs(6, 4, 7, 203)), RangeError);
    assert.throws(() => k.alignPairStats({ data: good.data, shape: [6, 1, 32] }), /reprs\.shape\[1\]/);
    assert.throws(() => k.alignPairStats(good, { backend: 'neon' }), /options\.backend/);
    const unavailable = ['avx2', 'avx512'].filter((b) => !k.alignBackends().available.includes(b));
    for (const b of unavailable) assert.throws(() => k.alignPairStats(good, { backend: b }), RangeError);
    await assert.rejects(k.alignPairStats({ data: new Float32Array(0), shape: [2, 3, 0] }), /reprs\.shape\[2\]/);
  });
});
