import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { loadIdx } from '../../lib/data';
import { defaultHooks } from '../../lib/downstream/defaults';
import { firstPoints } from '../../lib/downstream/tasks';
import { removalExperiment } from '../../lib/downstream/removal';

const fixture = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'fashion-mnist');

describe('downstream/removalExperiment with real training (tiny)', function () {
  this.timeout(600_000);
  it('trains a small CNN per run through lib/train, and the same seeds reproduce the accuracies', async () => {
    const all = await loadIdx(path.join(fixture, 'train-1000-images-idx3-ubyte.gz'), path.join(fixture, 'train-1000-labels-idx1-ubyte.gz'));
    const train = firstPoints(all, 48);
    const probeTrain = { ...firstPoints(all, 200), name: 'probe-train' };
    const test = { ...(await import('../../lib/data')).subset(all, Int32Array.from({ length: 100 }, (_, i) => 900 + i)), name: 'probe-test' };
    const scores = Array.from({ length: 48 }, (_, i) => Math.cos(i));
    const run = () =>
      removalExperiment({
        images: train.images,
        scores,
        sizes: [0, 8],
        seeds: [1],
        arms: ['top', 'random'],
        hooks: defaultHooks({ epochs: 1, batchSize: 16, threads: 1 }),
        tasks: [{ task: 'same-domain', train: probeTrain, test }],
        evaluation: { probe: { epochs: 50 }, knn: { k: 20 } },
      });
    const a = await run();
    const b = await run();
    assert.equal(a.manifest.runs.length, 4);
    assert.deepEqual(a.manifest.runs.find((r) => r.arm === 'top' && r.n === 8)!.removed, Array.from({ length: 48 }, (_, i) => i).sort((x, y) => scores[y] - scores[x] || x - y).slice(0, 8).sort((x, y) => x - y));
    for (const cell of a.summary.cells) assert.ok(cell.mean > 0.1 && cell.mean <= 1, `${cell.arm} ${cell.n} ${cell.method}: ${cell.mean}`);
    assert.deepEqual(b.summary, a.summary, 'the same seeds give the same accuracies');
  });
});
