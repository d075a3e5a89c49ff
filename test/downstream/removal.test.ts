import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ImageDataset } from '../../lib/data/types';
import { removalExperiment, removalSet } from '../../lib/downstream/removal';
import { summarizeRemoval } from '../../lib/downstream/removal-summary';
import { removalCharts } from '../../lib/report/charts';
import { fakeHooks, indexedImages } from './fakes';

function labelled(n: number, name: string): ImageDataset {
  return { name, images: indexedImages(n), labels: Int32Array.from({ length: n }, (_, i) => i % 3), classes: ['a', 'b', 'c'] };
}

describe('downstream/removalSet', () => {
  it('removes the n highest, n lowest (ties by index) or n seeded-random scores', () => {
    const scores = [0.5, 0.9, 0.1, 0.9, -0.2, 0.3];
    assert.deepEqual(Array.from(removalSet('top', scores, 3, 0)), [0, 1, 3]);
    assert.deepEqual(Array.from(removalSet('bottom', scores, 2, 0)), [2, 4]);
    const r1 = removalSet('random', Array.from({ length: 100 }, () => 0), 10, 1);
    assert.equal(new Set(r1).size, 10);
    assert.deepEqual(removalSet('random', new Array(100).fill(0), 10, 1), r1);
    assert.notDeepEqual(removalSet('random', new Array(100).fill(0), 10, 2), r1);
  });
});

describe('downstream/removalExperiment', () => {
  it('removes exactly what its manifest says, trains once per baseline seed, and reproduces', async function () {
    this.timeout(60_000);
    const N = 60;
    const scores = Array.from({ length: N }, (_, i) => Math.sin(i * 1.7));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-removal-'));
    try {
      const run = async (outDir?: string) => {
        const hooks = fakeHooks();
        const result = await removalExperiment({
          images: indexedImages(N),
          scores,
          sizes: [10, 0, 5],
          seeds: [3, 4],
          hooks,
          tasks: [{ task: 'same-domain', train: labelled(30, 'tr'), test: labelled(12, 'te') }, { task: 'cross-domain', train: labelled(9, 'tr2'), test: labelled(6, 'te2') }],
          evaluation: { knn: { k: 5 }, probe: { epochs: 20 } },
          outDir,
        });
        return { result, hooks };
      };
      const { result, hooks } = await run(dir);
      // 2 seeds x (1 baseline + 3 arms x 2 sizes) trainings; 2 x 3 x 3 records.
      assert.equal(hooks.log.trained.length, 14);
      assert.equal(result.manifest.runs.length, 18);
      for (const r of result.manifest.runs) {
        const trained = hooks.log.trained.find((e) => e.name === r.encoder)!;
        const seen = [...trained.seen].sort((a, b) => a - b);
        const expectedRemoved = Array.from(removalSet(r.arm, scores, r.n, r.seed));
        assert.deepEqual(r.removed, expectedRemoved);
        assert.equal(seen.length + r.removed.length, N);
        assert.ok(r.removed.every((i) => !trained.seen.has(i)), `${r.encoder} saw a removed point`);
        assert.equal(r.trainedOnCount, N - r.n);
        assert.equal(trained.seed, r.seed);
        if (r.arm === 'top' && r.n > 0) {
          const cut = Math.min(...r.removed.map((i) => scores[i]));
          assert.ok(seen.every((i) => scores[i] <= cut));
        }
      }
      const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'removal-manifest.json'), 'utf8'));
      assert.deepEqual(onDisk, result.manifest);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['removal-manifest.json', 'removal-runs.json', 'removal.json']);
      // The charts are the report's (sslmem removal writes them beside the JSON): one per task and method.
      const charts = removalCharts(result.summary);
      assert.deepEqual(Object.keys(charts), ['removal-same-domain-linear-probe.svg', 'removal-same-domain-knn.svg', 'removal-cross-domain-linear-probe.svg', 'removal-cross-domain-knn.svg']);
      for (const svg of Object.values(charts)) assert.match(svg, /^<svg[^>]*>[\s\S]*most memorized removed[\s\S]*<\/svg>\n?$/);
      assert.deepEqual(result.summary.sizes, [0, 5, 10]);
      assert.equal(result.summary.cells.length, 3 * 3 * 2 * 2);
      const again = await run();
      assert.deepEqual(again.result.manifest, result.manifest);
      assert.deepEqual(again.result.summary, result.summary);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects scores that do not match the images and impossible sizes', async () => {
    const base = { images: indexedImages(10), seeds: [1], hooks: fakeHooks(), tasks: [{ task: 'same-domain' as const, train: labelled(6, 'a'), test: labelled(3, 'b') }] };
    await assert.rejects(removalExperiment({ ...base, scores: [1, 2], sizes: [1] }), /options\.scores\.length/);
    await assert.rejects(removalExperiment({ ...base, scores: new Array(10).fill(0), sizes: [10] }), /options\.sizes\[0\]/);
    await assert.rejects(removalExperiment({ ...base, scores: [NaN, ...new Array(9).fill(0)], sizes: [1] }), /options\.scores\[0\]/);
  });
});

describe('downstream/summarizeRemoval', () => {
  it('gives the mean and ddof-1 std over seeds per arm, n, task and method', () => {
    const s = summarizeRemoval([
      { arm: 'top', n: 5, seed: 1, accuracy: { 'same-domain': { knn: 0.5 } } },
      { arm: 'top', n: 5, seed: 2, accuracy: { 'same-domain': { knn: 0.7 } } },
      { arm: 'random', n: 5, seed: 1, accuracy: { 'same-domain': { knn: 0.9 } } },
    ]);
    assert.deepEqual(s.arms, ['top', 'random']);
    const top = s.cells.find((c) => c.arm === 'top')!;
    assert.ok(Math.abs(top.mean - 0.6) < 1e-12 && Math.abs(top.std - Math.sqrt(0.02)) < 1e-12);
    assert.ok(Number.isNaN(s.cells.find((c) => c.arm === 'random')!.std));
  });
});
