/**
 * UnitMem's files: units.csv / units.jsonl (one row per layer and unit), unitmem.json (per-layer
 * distribution of selectivity and the points most units select) and the shard part file that
 * `sslmem merge` joins. Numbers are written in shortest round-trip form, so merged shards write the
 * bytes of an unsharded run.
 */
import * as fs from 'node:fs';
import { ErrorCodes, outOfRange, SslmemError } from '../errors';
import { writeFileAtomic, writeFilesAtomic } from '../io/atomic';
import { describeSample, Descriptive } from '../score/stats';
import { csvField } from '../score/scores-csv';
import { Shard, shardRange } from '../score/shard';
import { assertObject } from '../validate';
import { UnitMemAccumulator, UnitMemStateJson, UnitMemTable } from './state';

/** How a UnitMem run was made; recorded in unitmem.json and part files (must not depend on sharding). */
export interface UnitMemRunInfo {
  layers: string[];
  views: number;
  seed: number;
  pipeline: unknown;
  /** Free-form provenance: encoder, dataset. */
  provenance?: Record<string, unknown>;
}

export const UNITMEM_FORMAT = 'sslmem-unitmem/1';
export const UNITMEM_PART_FORMAT = 'sslmem-unitmem-part/1';

export interface UnitMemSummary {
  format: typeof UNITMEM_FORMAT;
  run: UnitMemRunInfo;
  points: number;
  /**
   * Per layer: units, the distribution of selectivity, how many units select no point (constant
   * units), and the points selected by the most of its units (most first, ties: smaller id first).
   */
  layers: Array<{ layer: string; units: number; selectivity: Descriptive; constantUnits: number; topPoints: Array<{ point: number; units: number }> }>;
  /** The points selected by the most units over all layers, most first (ties: smaller id first), with the count per layer. */
  topPoints: Array<{ point: number; units: number; byLayer: Record<string, number> }>;
}

/** The `count` entries with the most units, most first (ties: smaller point id first). */
function mostSelected<T extends { units: number }>(counts: Map<number, T>, count: number): Array<[number, T]> {
  return [...counts.entries()].sort((a, b) => b[1].units - a[1].units || a[0] - b[0]).slice(0, count);
}

/** The per-layer tables and the summary of finished states. */
export function summarizeUnitMem(run: UnitMemRunInfo, tables: readonly UnitMemTable[], topCount = 20): UnitMemSummary {
  const counts = new Map<number, { units: number; byLayer: Record<string, number> }>();
  const layers = run.layers.map((layer, l) => {
    const table = tables[l];
    const own = new Map<number, { units: number }>();
    let constant = 0;
    table.point.forEach((point) => {
      if (point < 0) return void constant++;
      const entry = counts.get(point) ?? { units: 0, byLayer: {} };
      entry.units++;
      entry.byLayer[layer] = (entry.byLayer[layer] ?? 0) + 1;
      counts.set(point, entry);
      own.set(point, { units: (own.get(point)?.units ?? 0) + 1 });
    });
    const topPoints = mostSelected(own, topCount).map(([point, entry]) => ({ point, units: entry.units }));
    return { layer, units: table.muMax.length, selectivity: describeSample(table.selectivity), constantUnits: constant, topPoints };
  });
  const topPoints = mostSelected(counts, topCount).map(([point, entry]) => ({ point, ...entry }));
  return { format: UNITMEM_FORMAT, run, points: tables[0]?.points ?? 0, layers, topPoints };
}

/** units.csv: layer, unit, mu_max, mu_rest, selectivity, point (-1: none). */
export function unitsCsv(layers: readonly string[], tables: readonly UnitMemTable[]): string {
  const rows = ['layer,unit,mu_max,mu_rest,selectivity,point'];
  layers.forEach((layer, l) => {
    const t = tables[l];
    const name = csvField(layer);
    for (let k = 0; k < t.muMax.length; k++) rows.push(`${name},${k},${t.muMax[k]},${t.muRest[k]},${t.selectivity[k]},${t.point[k]}`);
  });
  return rows.join('\n') + '\n';
}

/** units.jsonl: the CSV's rows as JSON objects. */
export function unitsJsonl(layers: readonly string[], tables: readonly UnitMemTable[]): string {
  const lines: string[] = [];
  layers.forEach((layer, l) => {
    const t = tables[l];
    for (let k = 0; k < t.muMax.length; k++) lines.push(JSON.stringify({ layer, unit: k, mu_max: t.muMax[k], mu_rest: t.muRest[k], selectivity: t.selectivity[k], point: t.point[k] }));
  });
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** Finishes the states and writes units.csv, units.jsonl and unitmem.json into `dir` (all or nothing). Returns the summary. */
export function writeUnitMemOutputs(dir: string, run: UnitMemRunInfo, states: readonly UnitMemAccumulator[]): { files: string[]; summary: UnitMemSummary } {
  const tables = states.map((s) => s.finish());
  const summary = summarizeUnitMem(run, tables);
  const files = writeFilesAtomic(dir, {
    'units.csv': unitsCsv(run.layers, tables),
    'units.jsonl': unitsJsonl(run.layers, tables),
    'unitmem.json': JSON.stringify(summary, null, 2) + '\n',
  });
  return { files, summary };
}

/** A shard's states: `sslmem unitmem --shard i/n` writes one, `sslmem merge` joins them. */
export interface UnitMemPart {
  format: typeof UNITMEM_PART_FORMAT;
  shard: Shard;
  total: number;
  run: UnitMemRunInfo;
  states: UnitMemStateJson[];
}

export function writeUnitMemPart(file: string, part: UnitMemPart): void {
  writeFileAtomic(file, JSON.stringify(part) + '\n');
}

/** True when `file` holds a UnitMem part (so `sslmem merge` knows which kind it merges). */
export function isUnitMemPart(value: unknown): value is UnitMemPart {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === UNITMEM_PART_FORMAT;
}

export function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new SslmemError(ErrorCodes.corruptFile, `Could not read the part ${file}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Joins UnitMem parts: every shard of one n-way split exactly once, all of the same run; the merged
 * states equal one pass over all points bit for bit. ERR_SSLMEM_MISMATCH names what differs.
 */
export function mergeUnitMemParts(parts: readonly UnitMemPart[]): { run: UnitMemRunInfo; states: UnitMemAccumulator[] } {
  if (parts.length === 0) throw outOfRange('parts', 'at least one part', 'none', true);
  parts.forEach((part, i) => assertObject(`parts[${i}]`, part));
  const count = parts[0].shard.count;
  const runText = JSON.stringify(parts[0].run);
  const seen = new Set<number>();
  for (const part of parts) {
    if (part.shard.count !== count || part.total !== parts[0].total || JSON.stringify(part.run) !== runText) {
      throw new SslmemError(ErrorCodes.mismatch, `Expected UnitMem parts of one ${count}-way split of the same run but part ${part.shard.index}/${part.shard.count} differs (layers, views, seed, pipeline, provenance or point count)`);
    }
    if (seen.has(part.shard.index)) throw new SslmemError(ErrorCodes.mismatch, `Expected each shard once but received shard ${part.shard.index}/${count} twice`);
    seen.add(part.shard.index);
    const { start, end } = shardRange(part.total, part.shard);
    const states = part.states.map((s, l) => UnitMemAccumulator.fromJSON(s, `part ${part.shard.index}/${count} states[${l}]`));
    if (states.some((s) => s.points !== end - start)) throw new SslmemError(ErrorCodes.mismatch, `Expected ${end - start} points in shard ${part.shard.index}/${count} but its states hold ${states.map((s) => s.points).join(', ')}`);
  }
  const missing = [...Array(count).keys()].filter((i) => !seen.has(i));
  if (missing.length) throw new SslmemError(ErrorCodes.mismatch, `Expected all ${count} shards but shards ${missing.join(', ')} are missing`);
  const states = parts[0].states.map((s, l) => UnitMemAccumulator.fromJSON(s, `states[${l}]`));
  for (const part of parts.slice(1)) part.states.forEach((s, l) => states[l].merge(UnitMemAccumulator.fromJSON(s, `states[${l}]`)));
  return { run: parts[0].run, states };
}
