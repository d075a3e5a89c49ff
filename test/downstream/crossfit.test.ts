import { strict as assert } from 'node:assert';
import { crossfitScores, crossfitViolations } from '../../lib/downstream/crossfit';
import { makeFolds } from '../../lib/downstream/folds';
import { fakeHooks } from './fakes';
import { indexedImages } from './fakes';

describe('downstream/folds', () => {
  it('partitions 0..n-1 into k near-equal, seed-determined folds', () => {
    const folds = makeFolds(103, 4, 9);
    assert.deepEqual(folds.map((f) => f.length), [25, 26, 26, 26]);
    const all = folds.flatMap((f) => Array.from(f)).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 103 }, (_, i) => i));
    assert.deepEqual(makeFolds(103, 4, 9), folds);
    assert.notDeepEqual(makeFolds(103, 4, 10), folds);
    assert.throws(() => makeFolds(3, 4, 0), RangeError);
  });
});

describe('downstream/crossfitScores', () => {
  it('scores every point with an f that saw it and a g that never did (checked from the manifest)', async () => {
    const hooks = fakeHooks();
    const result = await crossfitScores({ images: indexedImages(300), folds: 3, seed: 5, hooks, dataset: { name: 'indexed' } });
    assert.deepEqual(crossfitViolations(result.manifest), []);
    // The fakes read what each encoder saw from the pixels: the manifest must agree with that.
    for (const record of result.manifest.encoders) {
      const trained = hooks.log.trained.find((e) => e.name === record.name)!;
      assert.deepEqual([...trained.seen].sort((a, b) => a - b), record.trainedOn);
      assert.ok(trained.disposed, `${record.name} released`);
    }
    assert.equal(result.manifest.encoders.length, 4); // f + 3 g_j: k + 1 trainings
    assert.ok(result.m.every((m) => m === 1), 'm = 1 exactly when f saw the point and g did not');
    result.manifest.folds.forEach((fold, j) => fold.forEach((i) => assert.equal(result.fold[i], j)));
    assert.deepEqual(result.manifest.encoders.map((e) => e.seed), [6, 7, 8, 9]);
  });

  it('flags a manifest whose g saw a point it scored, or a point left unscored', async () => {
    const result = await crossfitScores({ images: indexedImages(20), seed: 1, hooks: fakeHooks() });
    const leaky = structuredClone(result.manifest);
    const g0 = leaky.encoders.find((e) => e.name === 'g_0')!;
    g0.trainedOn.push(leaky.folds[0][0]);
    assert.match(crossfitViolations(leaky).join('\n'), new RegExp(`point ${leaky.folds[0][0]} \\(fold 0\\) was seen by g_0`));
    const partial = structuredClone(result.manifest);
    partial.scoring.pop();
    assert.match(crossfitViolations(partial).join('\n'), /was never scored/);
  });

  it('is reproducible and rejects bad options', async () => {
    const a = await crossfitScores({ images: indexedImages(30), seed: 2, hooks: fakeHooks() });
    const b = await crossfitScores({ images: indexedImages(30), seed: 2, hooks: fakeHooks() });
    assert.deepEqual(a.manifest, b.manifest);
    await assert.rejects(crossfitScores({ images: indexedImages(3), folds: 4, hooks: fakeHooks() }), (e: Error) => e instanceof RangeError && /options\.folds/.test(e.message));
    await assert.rejects(crossfitScores({ images: indexedImages(30), hooks: fakeHooks(), signal: AbortSignal.abort() }), (e: Error) => e.name === 'AbortError');
  });
});

describe('downstream/crossfit outputs', () => {
  it('writes a CSV the report reader parses back to the same scores', async () => {
    const { crossfitCsv } = await import('../../lib/downstream/crossfit-output');
    const { parseScoresCsv } = await import('../../lib/score/scores-csv');
    const result = await crossfitScores({ images: indexedImages(12), seed: 3, hooks: fakeHooks() });
    const rows = parseScoresCsv(crossfitCsv(result, Int32Array.from({ length: 12 }, (_, i) => i % 2)));
    assert.deepEqual(rows.map((r) => r.m), Array.from(result.m));
    assert.deepEqual(rows.map((r) => r.group), Array.from(result.fold, (f) => `fold-${f}`));
    assert.deepEqual(rows.map((r) => r.label), Array.from({ length: 12 }, (_, i) => i % 2));
  });
});
