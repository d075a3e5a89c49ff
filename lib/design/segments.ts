/**
 * Scoring that survives a crash (issue 16): the planned points are scored in segments of
 * `segmentPoints`, and each finished segment is kept durably (a fingerprinted resume record, written
 * atomically) before the next starts. A resumed call reads the finished segments back and scores
 * only the rest, so a kill -9 during scoring loses at most one segment of work. Views are keyed by
 * (seed, chunk, item id, view) and each point's views go through an encoder as one forward pass, so
 * a point gets the same numbers in any segment as in one unsegmented call: the joined result equals
 * {@link scoreManifest}'s, bit for bit (test/design/segments.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, outOfRange, SslmemError } from '../errors';
import { planPoints, scoreManifest, ManifestScores, ScoreManifestOptions } from '../score/manifest-scoring';
import { shardRange } from '../score/shard';
import type { PointScore, ScoreRunInfo } from '../score/summary';
import { validateManifest } from '../score/splits';
import { assertInteger, assertObject } from '../validate';
import { fingerprintOf, ResumeRecord } from './resume';

/** Points per durable segment unless the caller says otherwise: 8 batches of the default 64. */
export const DEFAULT_SEGMENT_POINTS = 512;

/** What is kept of a finished segment: enough to rebuild its part of {@link ManifestScores}. */
interface ScoredSegment {
  run: ScoreRunInfo;
  points: PointScore[];
  /** Augmented views per point (ScoreResult.views). */
  views: number[];
}

export interface SegmentedScoringOptions {
  /** Where the segment records go (created when needed; {@link removeSegments} clears it). */
  dir: string;
  /**
   * What the scores depend on (encoders, data, manifest, scoring options), as a fingerprint: a
   * record written under another one is ERR_SSLMEM_MISMATCH, never reused.
   */
  fingerprint: string;
  /** Read the records a killed call left (default false: score every segment anew). */
  resume?: boolean;
  /** Points per segment (default {@link DEFAULT_SEGMENT_POINTS}). */
  segmentPoints?: number;
}

/** The [start, end) plan ranges of the segments of `slice`, `size` points each (the last may be shorter). */
export function segmentRanges(slice: { start: number; end: number }, size: number): Array<{ start: number; end: number }> {
  assertObject('slice', slice);
  assertInteger('slice.start', slice.start, { min: 0 });
  assertInteger('slice.end', slice.end, { min: slice.start });
  assertInteger('size', size, { min: 1 });
  const out: Array<{ start: number; end: number }> = [];
  for (let start = slice.start; start < slice.end; start += size) out.push({ start, end: Math.min(slice.end, start + size) });
  return out;
}

function record(options: SegmentedScoringOptions, range: { start: number; end: number }, size: number): ResumeRecord<ScoredSegment> {
  return new ResumeRecord<ScoredSegment>(
    path.join(options.dir, `segment-${range.start}-${range.end}.json`),
    fingerprintOf('score-segment', { scores: options.fingerprint, range, size }),
    `the scores of points ${range.start}..${range.end - 1}`,
  );
}

/**
 * {@link scoreManifest} in durable segments (see the module comment). Progress counts the points of
 * reused segments as done at once. Returns what scoreManifest returns for the same options.
 */
export async function scoreManifestInSegments(options: ScoreManifestOptions, segments: SegmentedScoringOptions): Promise<ManifestScores> {
  const size = segments.segmentPoints ?? DEFAULT_SEGMENT_POINTS;
  assertInteger('segmentPoints', size, { min: 1 });
  if (options.range !== undefined) throw outOfRange('options.range', 'none (segmented scoring chooses the ranges)', 'a range', true);
  assertObject('options', options);
  const total = planPoints(validateManifest(options.manifest, 'options.manifest'), options).length;
  const slice = options.shard ? shardRange(total, options.shard) : { start: 0, end: total };
  // Nothing to score: scoreManifest says why (an empty shard or plan).
  if (slice.end <= slice.start) return scoreManifest(options);
  const { shard: _shard, ...rest } = options;
  let done = 0;
  let views = 0;
  const all = slice.end - slice.start;
  const parts: ScoredSegment[] = [];
  for (const range of segmentRanges(slice, size)) {
    const store = record(segments, range, size);
    let part = segments.resume ? store.read() : undefined;
    if (part === undefined) {
      const before = done;
      let segmentViews = 0;
      const scored = await scoreManifest({
        ...rest,
        range,
        onProgress: options.onProgress && ((p) => {
          segmentViews = p.views;
          options.onProgress!({ done: before + p.done, total: all, views: views + p.views });
        }),
      });
      views += segmentViews;
      part = { run: scored.run, points: scored.points, views: Array.from(scored.result.views) };
      store.write(part);
    } else {
      options.onProgress?.({ done: done + range.end - range.start, total: all, views });
    }
    done += range.end - range.start;
    parts.push(part);
  }
  return join(parts, total);
}

/** The segments as one scoreManifest result; every segment must describe the same run. */
function join(parts: ScoredSegment[], total: number): ManifestScores {
  const run = parts[0].run;
  const runText = JSON.stringify(run);
  for (const part of parts) {
    if (JSON.stringify(part.run) !== runText) throw new SslmemError(ErrorCodes.mismatch, 'Expected every scored segment to describe the same run but two differ (mode, metric, views, pipeline, seed or provenance)');
  }
  const points = parts.flatMap((part) => part.points);
  const column = (key: 'lossF' | 'lossG' | 'm' | 'se') => Float64Array.from(points, (p) => p[key]);
  const result = {
    lossF: column('lossF'),
    lossG: column('lossG'),
    m: column('m'),
    se: column('se'),
    count: Int32Array.from(points, (p) => p.count),
    views: Int32Array.from(parts.flatMap((part) => part.views)),
    mode: run.mode,
    metric: run.metric,
    pairing: run.pairing,
    pipeline: run.pipeline,
    seed: run.seed,
    adaptive: run.adaptive,
  } as ManifestScores['result'];
  return { run, points, total, result };
}

/** Removes the segment records (once the scores they hold are kept elsewhere). Internal: not exported by lib/design's index. */
export function removeSegments(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
