/**
 * runExperiment end to end on tiny trainings (torch tier): each design trains the encoders its plan
 * says on the data it says, and the combined scores (LayerMem's per-layer ones too) equal what one
 * gets by scoring the saved encoders pair by pair with lib/score and combining by hand.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { datasetFingerprint } from '../../lib/data';
import { Encoder } from '../../lib/encoder';
import { runExperiment, ExperimentOptions, planDesign, replicateSeed, halves, poolOf } from '../../lib/design';
import { makeSplits, scoreManifest } from '../../lib/score';
import { fashionMnist } from '../train/helpers';

describe('runExperiment: designs end to end (torch tier)', function () {
  this.timeout(600_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-design-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const dataset = fashionMnist('train', 200);
  const manifest = makeSplits({ n: 200, sizes: { shared: 24, candidates: 16, independent: 16 }, extra: { n: 16 }, seed: 4, datasetName: dataset.name, fingerprint: datasetFingerprint(dataset) });
  const base = (dir: string): Omit<ExperimentOptions, 'design'> => ({
    dataset,
    manifest,
    training: {
      architecture: 'pooled-cnn',
      width: 0.25,
      method: 'simclr',
      methodOptions: { temperature: 0.2, projectorDims: [32, 16] },
      pipeline: 'grayscale-28',
      epochs: 2,
      batchSize: 16,
      optimizer: { name: 'adam', lr: 1e-3 },
      threads: 1,
    },
    scoring: { views: 6, seed: 1, threads: 1 },
    seed: 9,
    saveEncoders: dir,
  });
  const rescore = async (dir: string, f: string, g: string) => {
    const ef = await Encoder.load(path.join(dir, `encoder-${f}.sslmem`));
    const eg = await Encoder.load(path.join(dir, `encoder-${g}.sslmem`));
    try {
      return (await scoreManifest({ f: ef, g: eg, manifest, dataset, views: 6, seed: 1, threads: 1 })).points;
    } finally {
      ef.dispose();
      eg.dispose();
    }
  };

  it('swapped: the mirror trains f on S_S + S_I and g on S_S + S_C; S_C and S_I score L(without) - L(with) over both pairs', async () => {
    const dir = path.join(tmp, 'swapped');
    const result = await runExperiment({ ...base(dir), design: { name: 'swapped' } });
    const info = result.design;
    assert.equal(info.name, 'swapped');
    assert.deepEqual(info.encoders.map((e) => [e.name, e.seed, e.trainedOn]), [['f', 9, 40], ['g', 9, 40], ['f1', replicateSeed(9, 1), 40], ['g1', replicateSeed(9, 1), 40]]);
    assert.equal(result.run.design?.name, 'swapped');
    const p0 = await rescore(dir, 'f', 'g');
    const p1 = await rescore(dir, 'f1', 'g1');
    result.points.forEach((p, i) => {
      const expected = p.group === 'candidates' ? (p0[i].m - p1[i].m) / 2 : p.group === 'independent' ? (p1[i].m - p0[i].m) / 2 : (p0[i].m + p1[i].m) / 2;
      assert.ok(Math.abs(p.m - expected) < 1e-9, `${p.group} #${p.index}: ${p.m} vs ${expected}`);
    });
    assert.ok(info.offsetFree && Number.isFinite(info.offsetFree.se) && info.offsetFree.se > 0);
  });

  it('subsampled: two half-splits of the pool, each point scored L(other half) - L(own half); S_E by a seeded coin', async () => {
    const dir = path.join(tmp, 'subsampled');
    const result = await runExperiment({ ...base(dir), design: { name: 'subsampled', replicates: 2 }, scoring: { views: 6, seed: 1, threads: 1 } });
    const pool = poolOf(manifest);
    const plan = planDesign(manifest, { name: 'subsampled', replicates: 2 }, 9);
    for (const r of plan.replicates) {
      assert.deepEqual([...r.trainF, ...r.trainG].sort((a, b) => a - b), pool);
      assert.deepEqual(r.trainF, halves(pool, r.seed)[0]);
    }
    // Every pool point (S_S sampled in full) and every S_E point gets a score.
    assert.equal(result.points.filter((p) => p.group !== 'extra').length, pool.length);
    const scored = await Promise.all(plan.replicates.map((r) => rescore(dir, r.f, r.g)));
    result.points.forEach((p, i) => {
      if (p.group === 'extra') return;
      const d = plan.replicates.map((r, j) => (r.trainF.includes(p.index) ? scored[j][i].m : -scored[j][i].m));
      const m = (d[0] + d[1]) / 2;
      assert.ok(Math.abs(p.m - m) < 1e-9);
      assert.ok(Math.abs(p.se - Math.abs(d[0] - d[1]) / 2) < 1e-9, 'se = sd over 2 splits / sqrt 2 = |d0 - d1| / 2');
      assert.equal(p.df, 1);
    });
    assert.equal(result.design.betweenReplicates?.every((c) => c.b === 'extra'), true);
  });

  it('pairs: K pairs with derived seeds, per-point mean and between-pair se; replicate 0 is the single-pair run', async () => {
    const dir = path.join(tmp, 'pairs');
    const pairs = await runExperiment({ ...base(dir), design: { name: 'pairs', replicates: 2 } });
    const single = await runExperiment({ ...base(path.join(tmp, 'single')), design: { name: 'single' } });
    const second = await rescore(dir, 'f1', 'g1');
    pairs.points.forEach((p, i) => {
      assert.ok(Math.abs(p.m - (single.points[i].m + second[i].m) / 2) < 1e-9);
      assert.equal(p.count, 2);
    });
    assert.deepEqual(single.design.encoders.map((e) => e.name), ['f', 'g']);
    assert.equal(single.points[0].df, single.points[0].count - 1);
  });

  it('layers: every layer combines over the replicates as the scores do; a resume with other layers is refused, with the same ones it equals the uninterrupted run', async () => {
    const layers = ['stage2', 'fc'];
    const options = (dir: string, scoringLayers: string[]) => ({ ...base(dir), design: { name: 'pairs' as const, replicates: 2 }, scoring: { views: 6, seed: 1, threads: 1, layers: scoringLayers } });
    const dir = path.join(tmp, 'layers');
    const result = await runExperiment(options(dir, layers));
    assert.deepEqual(result.run.layers, layers);
    // Each replicate rescored by hand at the same layers, then combined as the pairs design says.
    const perPair: Awaited<ReturnType<typeof scoreManifest>>['points'][] = [];
    for (const [f, g] of [['f', 'g'], ['f1', 'g1']]) {
      const ef = await Encoder.load(path.join(dir, `encoder-${f}.sslmem`));
      const eg = await Encoder.load(path.join(dir, `encoder-${g}.sslmem`));
      perPair.push((await scoreManifest({ f: ef, g: eg, manifest, dataset, views: 6, seed: 1, threads: 1, layers })).points);
      ef.dispose();
      eg.dispose();
    }
    result.points.forEach((p, i) => {
      assert.equal(p.layers?.length, 2);
      layers.forEach((layer, l) => {
        const [a, b] = perPair.map((points) => points[i].layers![l]);
        assert.ok(Math.abs(p.layers![l].m - (a.m + b.m) / 2) < 1e-12, `${layer} #${p.index}`);
        assert.ok(Math.abs(p.layers![l].lossF - (a.lossF + b.lossF) / 2) < 1e-12);
        assert.ok(Math.abs(p.layers![l].se - Math.abs(a.m - b.m) / 2) < 1e-12, 'se over 2 pairs = |m0 - m1| / 2');
        assert.equal(p.layers![l].count, 2);
      });
      // fc is the representation: its combined scores are the points' own.
      assert.equal(p.layers![1].m, p.m);
      assert.equal(p.layers![1].se, p.se);
    });

    // Interrupted while replicate 1 is scored: replicate 0's scores are on disk for --resume.
    const resumeDir = path.join(tmp, 'layers-resume');
    const controller = new AbortController();
    await assert.rejects(
      runExperiment({ ...options(resumeDir, layers), signal: controller.signal, onProgress: (p) => p.stage === 'score' && p.name === 'f1/g1' && controller.abort() }),
      (e: Error) => e.name === 'AbortError',
    );
    assert.ok(fs.readdirSync(path.join(resumeDir, '.resume')).includes('scores-0.json'));
    await assert.rejects(runExperiment({ ...options(resumeDir, ['stage1', 'fc']), resume: true }), (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_MISMATCH' && /scores of replicate 0/.test(e.message));
    const resumed = await runExperiment({ ...options(resumeDir, layers), resume: true });
    assert.deepEqual(resumed.points, result.points);
  });

  it('bad options are rejected naming the argument, before any training', async () => {
    await assert.rejects(runExperiment(null as never), /options/);
    await assert.rejects(runExperiment({ ...base(path.join(tmp, 'bad')), manifest: { ...manifest, seed: -1 } }), /options\.manifest\.seed/);
    await assert.rejects(runExperiment({ ...base(path.join(tmp, 'bad')), design: { name: 'pairs', replicates: 1 } }), /design\.replicates/);
    await assert.rejects(runExperiment({ ...base(path.join(tmp, 'bad')), design: { name: 'triple' as never } }), /design\.name/);
    assert.ok(!fs.existsSync(path.join(tmp, 'bad')));
  });
});
