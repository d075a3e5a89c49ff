import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeSplits, readManifest, validateManifest, writeManifest } from '../../lib/score/splits';
import { seededPermutation, splitMix64 } from '../../lib/score/random';

const FP = 'a'.repeat(64);
const OTHER_FP = 'b'.repeat(64);

describe('score/splits', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-splits-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('SplitMix64 gives the reference sequence for seed 0', () => {
    // First outputs of SplitMix64 from state 0 (Vigna's reference splitmix64.c).
    assert.equal(splitMix64(0, 0), 0xe220a8397b1dcdafn);
    assert.equal(splitMix64(0, 1), 0x6e789e6aa1b965f4n);
  });

  it('the permutation is a permutation, seeded and reproducible', () => {
    const p = seededPermutation(1000, 7);
    assert.deepEqual([...p].sort((a, b) => a - b), [...Array(1000).keys()]);
    assert.deepEqual(seededPermutation(1000, 7), p);
    assert.notDeepEqual(seededPermutation(1000, 8), p);
  });

  it('deals disjoint groups of the requested sizes, the same for the same seed', () => {
    const m = makeSplits({ n: 100, sizes: { shared: 30, candidates: 20, independent: 20 }, extra: { n: 10 }, seed: 3, datasetName: 'toy', fingerprint: FP });
    assert.deepEqual(m.sizes, { candidates: 20, independent: 20, shared: 30, extra: 10 });
    const all = [...m.groups.candidates, ...m.groups.independent, ...m.groups.shared, ...m.groups.extra];
    assert.equal(new Set(all).size, 80);
    assert.ok(all.every((i) => i >= 0 && i < 100));
    for (const g of Object.values(m.groups)) assert.deepEqual(g, [...g].sort((a, b) => a - b));
    assert.deepEqual(makeSplits({ n: 100, sizes: { shared: 30, candidates: 20, independent: 20 }, extra: { n: 10 }, seed: 3, datasetName: 'toy', fingerprint: FP }), m);
    assert.notDeepEqual(makeSplits({ n: 100, sizes: { shared: 30, candidates: 20, independent: 20 }, seed: 4, datasetName: 'toy', fingerprint: FP }).groups.candidates, m.groups.candidates);
  });

  it('an external S_E indexes the other dataset', () => {
    const m = makeSplits({ n: 50, sizes: { shared: 10, candidates: 10, independent: 10 }, extra: { dataset: { name: 'test', fingerprint: OTHER_FP, n: 20 }, n: 5 }, seed: 1, datasetName: 'train', fingerprint: FP });
    assert.equal(m.groups.extra.length, 5);
    assert.ok(m.groups.extra.every((i) => i < 20));
    assert.deepEqual(m.extraDataset, { name: 'test', fingerprint: OTHER_FP, n: 20 });
  });

  it('rejects sizes that do not fit and bad fingerprints', () => {
    assert.throws(() => makeSplits({ n: 10, sizes: { shared: 5, candidates: 5, independent: 1 }, seed: 1, datasetName: 'x', fingerprint: FP }), /at most the dataset size 10/);
    assert.throws(() => makeSplits({ n: 10, sizes: { shared: 1, candidates: 1, independent: 1 }, seed: 1, datasetName: 'x', fingerprint: 'abc' }), RangeError);
  });

  it('round-trips through a file and checks the dataset fingerprint', () => {
    const m = makeSplits({ n: 40, sizes: { shared: 10, candidates: 10, independent: 10 }, seed: 9, datasetName: 'toy', fingerprint: FP });
    const file = path.join(dir, 'manifest.json');
    writeManifest(file, m);
    assert.deepEqual(readManifest(file, { dataset: { fingerprint: FP, n: 40 } }), m);
    assert.throws(
      () => readManifest(file, { dataset: { fingerprint: OTHER_FP, n: 40 } }),
      (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_MISMATCH' && /manifest was made for/.test(e.message),
    );
    assert.throws(() => readManifest(file, { dataset: { fingerprint: FP, n: 41 } }), /ERR_SSLMEM_MISMATCH|manifest was made for/);
  });

  it('rejects overlapping groups, indices out of range and wrong sizes, naming the field', () => {
    const m = makeSplits({ n: 40, sizes: { shared: 10, candidates: 10, independent: 10 }, seed: 9, datasetName: 'toy', fingerprint: FP });
    const overlap = JSON.parse(JSON.stringify(m));
    overlap.groups.independent[0] = m.groups.candidates[0];
    assert.throws(() => validateManifest(overlap), (e: Error) => e instanceof RangeError && /manifest\.groups\.\w+\[\d+\]/.test(e.message) && /overlapping groups/.test(e.message));
    const outside = JSON.parse(JSON.stringify(m));
    outside.groups.shared[0] = 40;
    assert.throws(() => validateManifest(outside), /manifest\.groups\.shared\[0\]/);
    const sizes = JSON.parse(JSON.stringify(m));
    sizes.sizes.shared = 11;
    assert.throws(() => validateManifest(sizes), /manifest\.sizes\.shared/);
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{not json');
    assert.throws(() => readManifest(file), (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_CORRUPT_FILE');
  });

  it('an unwritable manifest path is a clear error and leaves no temp file', () => {
    const m = makeSplits({ n: 40, sizes: { shared: 10, candidates: 10, independent: 10 }, seed: 9, datasetName: 'toy', fingerprint: FP });
    assert.throws(() => writeManifest(path.join(dir, 'missing', 'manifest.json'), m), (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_WRITE_FAILED');
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
