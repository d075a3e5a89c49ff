/**
 * The UnitMem kernel (native/kernels/unitmem.cc) against NumPy computing the formula directly on
 * the same activations (Wang et al., NeurIPS 2024, eq. 2), including the defined edge cases (ties,
 * all-zero and constant units, signed units); batching and shard merging give identical bits.
 */
import { strict as assert } from 'node:assert';
import { UnitMemAccumulator } from '../../lib/unitmem';
import { runOracleCode } from '../train/helpers';
import { mulberry32 } from '../support/mulberry32';

const oracle = `
import json, sys
import numpy as np
x = json.load(sys.stdin)
a = np.array(x['activations'], dtype=np.float32).reshape(x['shape']).astype(np.float64)
ids = np.array(x['ids'], dtype=np.float64)
mu = a.mean(axis=1)                       # [N, U]: each unit's activation averaged over the views
n = mu.shape[0]
out = {'muMax': [], 'muRest': [], 'selectivity': [], 'point': []}
for k in range(mu.shape[1]):
    top = mu[:, k].max()
    rest = (mu[:, k].sum() - top) / (n - 1)
    winners = ids[mu[:, k] == top]
    constant = bool(np.all(mu[:, k] == mu[0, k]))
    out['muMax'].append(float(top)); out['muRest'].append(float(rest))
    out['selectivity'].append(0.0 if constant or top + rest == 0 else float((top - rest) / (top + rest)))
    out['point'].append(-1.0 if constant else float(winners.min()))
print(json.dumps(out))
`;

/** N points, V views, U units: unit 0 all zero, 1 a tie between two points, 2 constant 0.5, 3 signed, the rest ReLU-like. */
function activations(n: number, v: number, u: number, seed: number): { data: Float32Array; shape: number[]; ids: number[] } {
  const random = mulberry32(seed);
  const data = new Float32Array(n * v * u);
  for (let p = 0; p < n; p++) {
    for (let view = 0; view < v; view++) {
      for (let k = 0; k < u; k++) {
        let value = Math.max(0, random() * 2 - 0.7);
        if (k === 0) value = 0;
        if (k === 1) value = p === 5 || p === 11 ? 4 : random();
        if (k === 2) value = 0.5;
        if (k === 3) value = random() * 2 - 1;
        data[(p * v + view) * u + k] = value;
      }
    }
  }
  // Ids in a shuffled order, so "smallest id on ties" is not "first seen".
  const ids = Array.from({ length: n }, (_, p) => 1000 + ((p * 7) % n));
  return { data, shape: [n, v, u], ids };
}

function slice(a: { data: Float32Array; shape: number[]; ids: number[] }, from: number, to: number) {
  const per = a.shape[1] * a.shape[2];
  return { tensor: { data: a.data.slice(from * per, to * per), shape: [to - from, a.shape[1], a.shape[2]] }, ids: a.ids.slice(from, to) };
}

describe('unitmem/UnitMemAccumulator', () => {
  const a = activations(37, 3, 9, 4);

  it('equals NumPy on the formula, with ties, all-zero, constant and signed units', async () => {
    const acc = UnitMemAccumulator.create(9);
    const whole = slice(a, 0, 37);
    await acc.add(whole.tensor, whole.ids, { threads: 2 });
    const ours = acc.finish();
    const theirs = runOracleCode<Record<string, number[]>>(oracle, { activations: Array.from(a.data), shape: a.shape, ids: a.ids });
    assert.equal(ours.points, 37);
    for (const key of ['muMax', 'muRest', 'selectivity'] as const) {
      ours[key].forEach((x, k) => assert.ok(Math.abs(x - theirs[key][k]) <= 1e-12 * Math.max(1, Math.abs(x)), `${key}[${k}]: ${x} vs ${theirs[key][k]}`));
    }
    assert.deepEqual(Array.from(ours.point), theirs.point);
    assert.equal(ours.point[0], -1, 'an all-zero unit selects no point');
    assert.equal(ours.selectivity[0], 0);
    assert.equal(ours.point[2], -1, 'a constant unit selects no point');
    assert.equal(ours.point[1], Math.min(a.ids[5], a.ids[11]), 'ties go to the smallest id');
  });

  it('batches and merged shards give the bits of one pass, in any merge order', async () => {
    const one = UnitMemAccumulator.create(9);
    await one.add(slice(a, 0, 37).tensor, a.ids, { threads: 1 });
    const batched = UnitMemAccumulator.create(9);
    for (const [from, to] of [[0, 4], [4, 20], [20, 37]]) {
      const s = slice(a, from, to);
      await batched.add(s.tensor, s.ids, { threads: 3 });
    }
    assert.deepEqual(batched.toJSON(), one.toJSON());
    const shards = await Promise.all(
      [[0, 13], [13, 25], [25, 37]].map(async ([from, to]) => {
        const acc = UnitMemAccumulator.create(9);
        const s = slice(a, from, to);
        await acc.add(s.tensor, s.ids);
        return acc;
      }),
    );
    const merged = UnitMemAccumulator.fromJSON(JSON.parse(JSON.stringify(shards[2].toJSON())));
    merged.merge(shards[0]);
    merged.merge(shards[1]);
    assert.deepEqual(merged.toJSON(), one.toJSON());
    assert.deepEqual(merged.finish(), one.finish());
  });

  it('rejects non-finite activations (state untouched), wrong shapes and too few points', async () => {
    const acc = UnitMemAccumulator.create(9);
    const bad = slice(a, 0, 4);
    bad.tensor.data[1 * 27 + 2 * 9 + 6] = NaN;
    await assert.rejects(acc.add(bad.tensor, bad.ids), (e: Error) => e instanceof RangeError && /activations\[point 1, view 2, unit 6\]/.test(e.message) && /NaN/.test(e.message));
    assert.equal(acc.points, 0);
    await assert.rejects(acc.add({ data: new Float32Array(8), shape: [1, 1, 8] }, [0]), RangeError);
    await assert.rejects(acc.add(slice(a, 0, 2).tensor, [1]), RangeError);
    await acc.add(slice(a, 0, 1).tensor, [0]);
    assert.throws(() => acc.finish(), (e: Error) => e instanceof RangeError && /at least 2 points/.test(e.message));
    assert.throws(() => UnitMemAccumulator.fromJSON({ format: 'sslmem-unitmem-state/1', units: 9, digits: 3 }), { code: 'ERR_SSLMEM_CORRUPT_FILE' });
  });
});
