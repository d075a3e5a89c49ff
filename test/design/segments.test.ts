/**
 * Scoring in durable segments (lib/design/segments.ts, issue 16): with real torch encoders, a run
 * scored in segments gives every point exactly (bit for bit) the numbers of one unsegmented
 * scoreManifest call, whatever the segment size against the batch size; a call stopped after some
 * segments resumes with forward passes for the unfinished points only; records of other scores are
 * refused (ERR_SSLMEM_MISMATCH).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { datasetFingerprint } from '../../lib/data';
import { Encoder } from '../../lib/encoder';
import { scoreManifestInSegments } from '../../lib/design';
import { segmentRanges } from '../../lib/design/segments';
import { fingerprintOf } from '../../lib/design/resume';
import { makeSplits, scoreManifest, ScoreManifestOptions, ScoringEncoder } from '../../lib/score';
import { fashionMnist } from '../train/helpers';

/** Counts the views an encoder embeds: what a resumed call must not spend on finished segments. */
function counting(encoder: ScoringEncoder): ScoringEncoder & { views: number } {
  const counted = {
    views: 0,
    description: encoder.description,
    embedViews: (views: Parameters<ScoringEncoder['embedViews']>[0], options?: Parameters<ScoringEncoder['embedViews']>[1]) => {
      counted.views += views.shape[0];
      return encoder.embedViews(views, options);
    },
  };
  return counted;
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

describe('design: scoring in durable segments (torch tier)', function () {
  this.timeout(300_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-segments-'));
  const dataset = fashionMnist('train', 200);
  const manifest = makeSplits({ n: 200, sizes: { shared: 40, candidates: 12, independent: 12 }, extra: { n: 9 }, seed: 2, datasetName: dataset.name, fingerprint: datasetFingerprint(dataset) });
  const f = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], width: 0.25, seed: 1 });
  const g = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], width: 0.25, seed: 2 });
  const VIEWS = 5;
  const base = (): ScoreManifestOptions => ({ f, g, manifest, dataset, views: VIEWS, seed: 7, batchSize: 8, threads: 1, sharedSample: 10 });
  let whole: Awaited<ReturnType<typeof scoreManifest>>;
  before(async () => (whole = await scoreManifest(base())));
  after(() => {
    f.dispose();
    g.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('cuts the plan into ranges of the segment size, the last shorter', () => {
    assert.deepEqual(segmentRanges({ start: 3, end: 20 }, 7), [{ start: 3, end: 10 }, { start: 10, end: 17 }, { start: 17, end: 20 }]);
    assert.deepEqual(segmentRanges({ start: 0, end: 4 }, 9), [{ start: 0, end: 4 }]);
  });

  it('gives every point the unsegmented score bit for bit (segments of 7 points, batches of 8)', async () => {
    const scored = await scoreManifestInSegments(base(), { dir: path.join(tmp, 'a'), fingerprint: 'a', segmentPoints: 7 });
    assert.equal(scored.points.length, 43);
    assert.deepEqual(scored.points.map((p) => [p.group, p.index, p.label]), whole.points.map((p) => [p.group, p.index, p.label]));
    for (const key of ['lossF', 'lossG', 'm', 'se', 'count'] as const) sameBits(scored.points.map((p) => p[key]), whole.points.map((p) => p[key]), key);
    sameBits(scored.result.views, whole.result.views, 'views');
    assert.deepEqual(scored.run, whole.run);
    assert.equal(scored.total, whole.total);
    // Each segment is its own record, fsynced and renamed into place.
    assert.equal(fs.readdirSync(path.join(tmp, 'a')).filter((name) => /^segment-\d+-\d+\.json$/.test(name)).length, 7);
  });

  it('a call stopped in the third segment resumes with forward passes for the other points only, to the same scores', async () => {
    const dir = path.join(tmp, 'b');
    const controller = new AbortController();
    // Stopped inside the third segment (its first batch reports 28 points done): two are kept whole.
    const first = { ...base(), signal: controller.signal, onProgress: (p: { done: number }) => p.done > 20 && controller.abort(new Error('stop')) };
    await assert.rejects(scoreManifestInSegments(first, { dir, fingerprint: 'b', segmentPoints: 10 }), /stop|abort/i);
    const kept = fs.readdirSync(dir).sort();
    // Where score() answers the abort (after the batch, or at the next call) decides whether the third is kept too.
    assert.ok(['segment-0-10.json,segment-10-20.json', 'segment-0-10.json,segment-10-20.json,segment-20-30.json'].includes(kept.join()), kept.join());
    const unfinished = 43 - 10 * kept.length;
    const cf = counting(f);
    const cg = counting(g);
    const resumed = await scoreManifestInSegments({ ...base(), f: cf, g: cg }, { dir, fingerprint: 'b', segmentPoints: 10, resume: true });
    // Anchor mode renders the clean image and VIEWS augmented views of each unfinished point, and no other.
    assert.equal(cf.views, unfinished * (VIEWS + 1));
    assert.equal(cg.views, unfinished * (VIEWS + 1));
    for (const key of ['lossF', 'lossG', 'm', 'se'] as const) sameBits(resumed.points.map((p) => p[key]), whole.points.map((p) => p[key]), key);
  });

  it('without resume every segment is scored anew; records of other scores are ERR_SSLMEM_MISMATCH', async () => {
    const dir = path.join(tmp, 'c');
    await scoreManifestInSegments(base(), { dir, fingerprint: fingerprintOf('x', 1), segmentPoints: 20 });
    const cf = counting(f);
    await scoreManifestInSegments({ ...base(), f: cf }, { dir, fingerprint: fingerprintOf('x', 1), segmentPoints: 20 });
    assert.equal(cf.views, 43 * (VIEWS + 1));
    await assert.rejects(
      scoreManifestInSegments(base(), { dir, fingerprint: fingerprintOf('x', 2), segmentPoints: 20, resume: true }),
      (error: Error & { code?: string }) => error.code === 'ERR_SSLMEM_MISMATCH' && /fingerprint differs/.test(error.message),
    );
  });
});
