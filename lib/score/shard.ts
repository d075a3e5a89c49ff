/**
 * Sharding for clusters (Slurm/Kubernetes array jobs): `--shard i/n` scores a deterministic
 * contiguous slice of the points and writes a part file with the raw per-point scores;
 * {@link mergeParts} joins the parts back in order. Per-point scores do not depend on the slicing
 * (views are keyed by (seed, item id, view)), and normalization, significance and the summary are
 * computed after merging, so merged outputs equal an unsharded run's byte for byte.
 */
import * as fs from 'node:fs';
import { ErrorCodes, invalidType, outOfRange, SslmemError } from '../errors';
import { assertInteger, assertObject } from '../validate';
import { writeFileAtomic } from '../io/atomic';
import type { PointScore, ScoreRunInfo } from './summary';

export interface Shard {
  /** 0-based shard index. */
  index: number;
  count: number;
}

/** Parses "i/n" (0 <= i < n) into a {@link Shard}. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(String(text).trim());
  if (!match) throw outOfRange('shard', '"i/n" with 0 <= i < n, e.g. "0/4"', String(text), true);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index >= count) throw outOfRange('shard', '"i/n" with 0 <= i < n, e.g. "0/4"', String(text), true);
  return { index, count };
}

/** The contiguous slice [start, end) of `total` points for a shard: start = floor(i total / n). */
export function shardRange(total: number, shard: Shard): { start: number; end: number } {
  assertInteger('total', total, { min: 0 });
  assertInteger('shard.count', shard.count, { min: 1 });
  assertInteger('shard.index', shard.index, { min: 0, max: shard.count - 1 });
  return { start: Math.floor((shard.index * total) / shard.count), end: Math.floor(((shard.index + 1) * total) / shard.count) };
}

export const PART_FORMAT = 'sslmem-scores-part/1';

/** A shard's raw scores and the run they belong to. */
export interface ScorePart {
  format: typeof PART_FORMAT;
  shard: Shard;
  /** Points in the whole (unsharded) run. */
  total: number;
  run: ScoreRunInfo;
  points: PointScore[];
}

/** The conventional part file name, e.g. "part-0-of-4.json". */
export function partFileName(shard: Shard): string {
  return `part-${shard.index}-of-${shard.count}.json`;
}

/** Writes a part file atomically. */
export function writePart(path: string, part: ScorePart): void {
  writeFileAtomic(path, JSON.stringify(part) + '\n');
}

/** Reads a part file, checking its format. */
export function readPart(path: string): ScorePart {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new SslmemError(ErrorCodes.corruptFile, `Could not read the score part ${path}: ${(cause as Error).message}`, { cause });
  }
  assertObject(`part ${path}`, value);
  if (value.format !== PART_FORMAT) throw outOfRange(`part ${path}.format`, JSON.stringify(PART_FORMAT), value.format);
  if (!Array.isArray(value.points)) throw invalidType(`part ${path}.points`, 'an array', value.points);
  // JSON has no NaN: a point whose standard error was NaN (count < 2) comes back as null.
  const restoreNaN = (point: Record<string, unknown>) => {
    for (const key of ['lossF', 'lossG', 'm', 'se'] as const) if (point[key] === null) point[key] = NaN;
  };
  for (const point of value.points as Array<Record<string, unknown>>) {
    restoreNaN(point);
    if (Array.isArray(point.layers)) (point.layers as Array<Record<string, unknown>>).forEach(restoreNaN);
  }
  return value as unknown as ScorePart;
}

/**
 * Joins parts into the whole run's raw scores: every shard of one split 0..n-1 present exactly
 * once, all from the same run (identical run description and total), each with the size its slice
 * says. Throws ERR_SSLMEM_MISMATCH naming what differs.
 */
export function mergeParts(parts: readonly ScorePart[]): { run: ScoreRunInfo; points: PointScore[] } {
  if (parts.length === 0) throw outOfRange('parts', 'at least one part', 'none', true);
  const count = parts[0].shard.count;
  const runText = JSON.stringify(parts[0].run);
  const byIndex = new Map<number, ScorePart>();
  for (const part of parts) {
    if (part.shard.count !== count) throw new SslmemError(ErrorCodes.mismatch, `Expected parts of one ${count}-way split but received part ${part.shard.index}/${part.shard.count}`);
    if (part.total !== parts[0].total || JSON.stringify(part.run) !== runText) {
      throw new SslmemError(ErrorCodes.mismatch, `Expected parts of the same run but part ${part.shard.index}/${count} has different settings (mode, metric, views, pipeline, seed or provenance) or point count`);
    }
    if (byIndex.has(part.shard.index)) throw new SslmemError(ErrorCodes.mismatch, `Expected each shard once but received shard ${part.shard.index}/${count} twice`);
    const { start, end } = shardRange(part.total, part.shard);
    if (part.points.length !== end - start) {
      throw new SslmemError(ErrorCodes.mismatch, `Expected ${end - start} points in shard ${part.shard.index}/${count} but received ${part.points.length}`);
    }
    byIndex.set(part.shard.index, part);
  }
  const missing = [...Array(count).keys()].filter((i) => !byIndex.has(i));
  if (missing.length) throw new SslmemError(ErrorCodes.mismatch, `Expected all ${count} shards but shards ${missing.join(', ')} are missing`);
  const points: PointScore[] = [];
  for (let i = 0; i < count; i++) points.push(...byIndex.get(i)!.points);
  return { run: parts[0].run, points };
}
