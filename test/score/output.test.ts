import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summaryText, writeScoreOutputs } from '../../lib/score/output';
import { scoresCsv } from '../../lib/score/scores-csv';
import { describeViews, finalizeScores, PointScore, ScoreRunInfo } from '../../lib/score/summary';
import { mergeParts, parseShard, partFileName, readPart, shardRange, writePart } from '../../lib/score/shard';

const run: ScoreRunInfo = { mode: 'anchor', metric: 'l2-normalized', pairing: 'anchor', views: 7, pairsPerPoint: 7, adaptive: null, pipeline: { name: 'p', views: [{}] }, seed: 1, classes: ['a', 'b'] };

function toyPoints(): PointScore[] {
  const points: PointScore[] = [];
  const groups = ['candidates', 'independent', 'shared'];
  for (let i = 0; i < 30; i++) {
    const group = groups[i % 3];
    const shift = group === 'candidates' ? 0.1 : group === 'independent' ? -0.1 : 0;
    const lossF = 0.5 + 0.01 * Math.sin(i);
    const m = shift + 0.02 * Math.cos(3 * i);
    points.push({ index: i, group, label: i % 2, lossF, lossG: lossF + m, m, se: 0.02 + 0.001 * (i % 5), count: 7 });
  }
  return points;
}

describe('score/summary and outputs', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-out-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('normalized forms, significance and group statistics are computed as documented', () => {
    const points = toyPoints();
    const { points: scored, summary } = finalizeScores(points, run);
    const ms = points.map((p) => p.m);
    const range = Math.max(...ms) - Math.min(...ms);
    scored.forEach((s, i) => {
      assert.equal(s.mRange, points[i].m / range);
      assert.equal(s.mRelative, (points[i].lossG - points[i].lossF) / (points[i].lossG + points[i].lossF));
    });
    // Every candidate has m ~ 0.1 with se ~ 0.02 (t ~ 5, 6 df): significant; no independent point is.
    assert.ok(scored.filter((s) => s.group === 'candidates').every((s) => s.significant));
    assert.ok(scored.filter((s) => s.group === 'independent').every((s) => !s.significant));
    assert.equal(summary.groups.candidates.count, 10);
    assert.deepEqual(summary.comparisons.map((c) => c.b), ['shared', 'independent']);
    assert.ok(summary.comparisons.every((c) => c.welch.p < 1e-6 && c.effect.cohenD > 0));
    assert.equal(summary.topK[0].group, 'candidates');
    assert.equal(summary.perClass.length, 6);
    assert.match(summaryText(summary), /candidates\s+10\s+0\.1/);
  });

  it('says which pairing was used, how many augmented views and how many pairs per point', () => {
    assert.match(summaryText(finalizeScores(toyPoints(), run).summary), /^SSLMem scores: 30 points, mode anchor, metric l2-normalized, 7 augmented views, each against the clean image: 7 pairs per point, seed 1\n/);
    assert.equal(describeViews({ mode: 'pairs', views: 9, pairsPerPoint: 4 }), '9 augmented views in disjoint pairs: 4 pairs per point');
    assert.equal(
      describeViews({ mode: 'anchor', views: 16, pairsPerPoint: 16, adaptive: { targetSe: 0.01, maxViews: 64, step: 8 } }),
      '16 augmented views, each against the clean image: 16 pairs per point (adaptive: rounds of 8 more augmented views, up to 64, while se > 0.01)',
    );
    // Run descriptions written before pairsPerPoint existed counted the clean anchor among the views.
    assert.equal(describeViews({ mode: 'anchor', views: 32 }), '32 views counting the clean image: 31 pairs per point');
  });

  it('writes CSV, JSONL and summary atomically, and the CSV parses back to the exact doubles', () => {
    const result = finalizeScores(toyPoints(), run);
    const out = path.join(dir, 'run');
    writeScoreOutputs(out, result);
    assert.deepEqual(fs.readdirSync(out).sort(), ['scores.csv', 'scores.jsonl', 'summary.json', 'summary.txt']);
    const lines = fs.readFileSync(path.join(out, 'scores.csv'), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'index,group,label,L_f,L_g,m,se,count,m_range,m_relative,p,q,significant,df');
    const row = lines[4].split(',');
    assert.equal(Number(row[5]), result.points[3].m);
    assert.equal(fs.readFileSync(path.join(out, 'scores.jsonl'), 'utf8').trim().split('\n').length, 30);
  });

  it('an unwritable output directory is a clear error and leaves nothing behind', () => {
    const blocker = path.join(dir, 'file');
    fs.writeFileSync(blocker, 'x');
    assert.throws(() => writeScoreOutputs(path.join(blocker, 'run'), finalizeScores(toyPoints(), run)), (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_WRITE_FAILED' && e.message.includes(blocker));
    assert.deepEqual(fs.readdirSync(dir), ['file']);
  });

  it('shards cover the points contiguously and merge to the unsharded bytes', () => {
    assert.deepEqual(parseShard('2/5'), { index: 2, count: 5 });
    for (const bad of ['5/5', '-1/3', 'a/b', '1/0']) assert.throws(() => parseShard(bad), RangeError);
    const total = 30;
    const points = toyPoints();
    for (const n of [1, 4, 7]) {
      const files: string[] = [];
      for (let i = n - 1; i >= 0; i--) {
        const { start, end } = shardRange(total, { index: i, count: n });
        const file = path.join(dir, partFileName({ index: i, count: n }));
        writePart(file, { format: 'sslmem-scores-part/1', shard: { index: i, count: n }, total, run, points: points.slice(start, end) });
        files.push(file);
      }
      const merged = mergeParts(files.map(readPart));
      assert.equal(scoresCsv(finalizeScores(merged.points, merged.run).points), scoresCsv(finalizeScores(points, run).points));
      assert.equal(JSON.stringify(finalizeScores(merged.points, merged.run).summary), JSON.stringify(finalizeScores(points, run).summary));
    }
  });

  it('merge refuses missing, duplicate and foreign parts', () => {
    const points = toyPoints();
    const part = (i: number, n: number, r = run) => {
      const { start, end } = shardRange(30, { index: i, count: n });
      return { format: 'sslmem-scores-part/1' as const, shard: { index: i, count: n }, total: 30, run: r, points: points.slice(start, end) };
    };
    assert.throws(() => mergeParts([part(0, 3), part(2, 3)]), /shards 1 are missing/);
    assert.throws(() => mergeParts([part(0, 2), part(0, 2), part(1, 2)]), /twice/);
    assert.throws(() => mergeParts([part(0, 2), part(1, 2, { ...run, seed: 2 })]), /same run/);
  });
});
