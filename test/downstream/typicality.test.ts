import { strict as assert } from 'node:assert';
import { averageRanks, spearman } from '../../lib/downstream/rank';
import { binnedSummary, knnAtypicality, typicality } from '../../lib/downstream/typicality';
import type { Uint8Tensor } from '../../lib/tensor';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('downstream/rank', () => {
  it('gives tied values the average of their ranks', () => {
    assert.deepEqual(Array.from(averageRanks([10, 20, 20, 5])), [2, 3.5, 3.5, 1]);
    assert.deepEqual(Array.from(averageRanks([7, 7, 7])), [2, 2, 2]);
  });

  it('computes Spearman rho with ties by hand', () => {
    // ranks x = [1, 2.5, 2.5, 4], y = [1, 3, 2, 4]: rho = 4.5 / sqrt(4.5 * 5).
    close(spearman([1, 2, 2, 3], [1, 3, 2, 4]).rho, 4.5 / Math.sqrt(22.5), 1e-12);
    close(spearman([1, 2, 3, 4, 5], [2, 4, 8, 16, 100]).rho, 1, 1e-12);
    close(spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]).rho, -1, 1e-12);
    assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3]).rho));
    // Without ties: rho = 1 - 6 sum d^2 / (n (n^2 - 1)); d = [0, -1, 1, 0] gives 1 - 12/60.
    close(spearman([1, 2, 3, 4], [1, 3, 2, 4]).rho, 0.8, 1e-12);
    assert.throws(() => spearman([1, 2], [1, 2]), RangeError);
  });
});

describe('downstream/typicality', () => {
  const deg = Math.PI / 180;
  const at = (...angles: number[]) => ({ data: Float32Array.from(angles.flatMap((a) => [Math.cos(a * deg), Math.sin(a * deg)])), shape: [angles.length, 2] });

  it('is the mean cosine distance to the k nearest other points (hand-worked)', async () => {
    const one = await knnAtypicality(at(0, 10, 90), { k: 1 });
    close(one[0], 1 - Math.cos(10 * deg));
    close(one[1], 1 - Math.cos(10 * deg));
    close(one[2], 1 - Math.cos(80 * deg));
    const two = await knnAtypicality(at(0, 10, 90), { k: 2 });
    close(two[0], (2 - Math.cos(10 * deg) - Math.cos(90 * deg)) / 2);
    close(two[2], (2 - Math.cos(80 * deg) - Math.cos(90 * deg)) / 2);
  });

  it('class-conditional neighbours stay within the class', async () => {
    const labels = new Int32Array([0, 1, 0, 1]);
    const result = await knnAtypicality(at(0, 5, 30, 65), { k: 1, labels, classConditional: true });
    close(result[0], 1 - Math.cos(30 * deg));
    close(result[1], 1 - Math.cos(60 * deg));
    await assert.rejects(knnAtypicality(at(0, 5), { classConditional: true }), /options\.labels/);
  });

  it('bins by atypicality and reports mean m with its standard error', () => {
    const bins = binnedSummary([0.4, 0.1, 0.3, 0.2], [4, 1, 5, 2], 2);
    assert.equal(bins.length, 2);
    assert.deepEqual([bins[0].from, bins[0].to, bins[0].count, bins[0].meanM], [0.1, 0.2, 2, 1.5]);
    close(bins[0].se, Math.sqrt(0.5 / 2), 1e-12);
    assert.deepEqual([bins[1].from, bins[1].to, bins[1].meanM], [0.3, 0.4, 4.5]);
    close(bins[1].meanAtypicality, 0.35, 1e-12);
  });

  it('relates an encoder\'s atypicality to m end to end', async () => {
    // "Images" of one pixel pair; the encoder maps them to angles, the odd one out is atypical.
    const angles = [0, 2, 4, 6, 8, 90];
    const images: Uint8Tensor = { data: Uint8Array.from(angles), shape: [6, 1, 1, 1] };
    const encoder = { embed: async (img: Uint8Tensor) => at(...Array.from(img.data)) };
    const m = [0.1, 0.0, 0.05, 0.02, 0.2, 0.9];
    const result = await typicality({ encoder, images, m, k: 2, bins: 3, encoderName: 'g' });
    assert.ok(result.atypicality[5] > Math.max(...Array.from(result.atypicality.subarray(0, 5))));
    close(result.spearman.rho, spearman(result.atypicality, m).rho, 0);
    assert.equal(result.bins.length, 3);
    assert.equal(result.bins[2].to, result.atypicality[5]);
    assert.equal(result.encoder, 'g');
  });
});

describe('downstream/writeRunTypicality', () => {
  it('embeds the scored points of a run directory and writes typicality.json the report reads', async function () {
    this.timeout(60_000);
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const { writeSyntheticRun } = await import('../report/fixture');
    const { writeRunTypicality } = await import('../../lib/report/typicality-run');
    const { readRunDirectory } = await import('../../lib/report/rundir');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-typicality-'));
    try {
      writeSyntheticRun(dir);
      const py = spawnSync('/usr/bin/python3', ['-c', `import numpy as np; np.save(${JSON.stringify(path.join(dir, 'images.npy'))}, (np.arange(40*2*2*1) * 7 % 251).astype(np.uint8).reshape(40, 2, 2, 1))`], { encoding: 'utf8' });
      assert.equal(py.status, 0, py.stderr);
      const seen: number[] = [];
      const encoder = {
        embed: async (images: Uint8Tensor) => {
          seen.push(images.shape[0]);
          return { data: Float32Array.from(images.data, (v) => v + 1), shape: [images.shape[0], 4] };
        },
      };
      const result = await writeRunTypicality(dir, { encoder, encoderName: 'pixels', k: 3, groups: ['candidates'], controlGroups: ['independent', 'absent'] });
      // the 14 candidates of the synthetic run, then the 13 independent points on their own; no 'absent' group
      assert.deepEqual(seen, [14, 13]);
      const file = readRunDirectory(dir).typicality!;
      assert.equal(file.encoder, 'pixels');
      assert.equal(file.atypicality.length, 14);
      assert.deepEqual(file.indices, readRunDirectory(dir).scores.filter((r) => r.group === 'candidates').map((r) => r.index));
      close(file.spearman.rho, result.spearman.rho, 0);
      assert.equal(file.controls?.length, 1);
      assert.equal(file.controls![0].group, 'independent');
      assert.equal(file.controls![0].spearman.n, 13);
      close(file.controls![0].spearman.rho, result.controls![0].spearman.rho, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
