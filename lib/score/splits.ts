/**
 * The SSLMem splits (Wang et al., ICLR 2024, Sec. 3): shared S_S (both encoders train on it),
 * candidates S_C (only f), independent S_I (only g) and extra S_E (neither: held-out points of the
 * same dataset, or another dataset such as the test split). {@link makeSplits} deals them by seed
 * and the manifest records them; everything downstream reads the manifest.
 */
import * as fs from 'node:fs';
import { ErrorCodes, invalidType, outOfRange, SslmemError } from '../errors';
import { assertInteger, assertObject, assertString, isPlainObject } from '../validate';
import { seededPermutation } from './random';
import { writeFileAtomic } from '../io/atomic';

/** The four split groups, in the order points are scored and written. */
export const SPLIT_GROUPS = ['candidates', 'independent', 'shared', 'extra'] as const;
export type SplitGroup = (typeof SPLIT_GROUPS)[number];

/** Manifest format tag; bumped when the layout changes. */
export const MANIFEST_FORMAT = 'sslmem-manifest/1';

/** Identifies a dataset: its name, {@link datasetFingerprint}-style sha256 hex and size. */
export interface DatasetRef {
  name: string;
  fingerprint: string;
  n: number;
}

export interface SplitManifest {
  format: typeof MANIFEST_FORMAT;
  /** The seed that dealt the splits. */
  seed: number;
  /** The dataset S_S, S_C, S_I (and S_E when `extraDataset` is null) index into. */
  dataset: DatasetRef;
  /** The dataset S_E indexes into, or null when S_E is held out of `dataset`. */
  extraDataset: DatasetRef | null;
  sizes: Record<SplitGroup, number>;
  /** Indices per group, ascending. */
  groups: Record<SplitGroup, number[]>;
}

export interface MakeSplitsOptions {
  /** Number of points in the dataset. */
  n: number;
  /** Sizes of S_S, S_C and S_I; their sum (plus a held-out S_E) must not exceed n. */
  sizes: { shared: number; candidates: number; independent: number };
  /**
   * S_E: `{n}` holds n further points of the same dataset out of both trainings; `{dataset, n?}`
   * takes n points (default all) of another dataset, e.g. the test split. Default: no S_E.
   */
  extra?: { n: number } | { dataset: DatasetRef; n?: number };
  seed: number;
  datasetName: string;
  /** sha256 hex of the dataset (`datasetFingerprint`). */
  fingerprint: string;
}

/**
 * Deals the dataset into the split groups: one seeded permutation of 0..n-1 (SplitMix64 +
 * Fisher–Yates, see random.ts) is cut into S_C, S_I, S_S and a held-out S_E in that order, so the
 * same seed always gives the same manifest. An external S_E is drawn by a second permutation of the
 * other dataset (stream `seed + 1`). Indices are sorted ascending within each group.
 */
export function makeSplits(options: MakeSplitsOptions): SplitManifest {
  assertObject('options', options);
  const { n, sizes, seed, datasetName, fingerprint } = options;
  assertInteger('options.n', n, { min: 1 });
  assertObject('options.sizes', sizes);
  for (const key of ['shared', 'candidates', 'independent'] as const) assertInteger(`options.sizes.${key}`, sizes[key], { min: 0 });
  assertInteger('options.seed', seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
  assertString('options.datasetName', datasetName, { nonEmpty: true });
  assertFingerprint('options.fingerprint', fingerprint);
  let heldOut = 0;
  let extraDataset: DatasetRef | null = null;
  let externalCount = 0;
  if (options.extra !== undefined) {
    assertObject('options.extra', options.extra);
    if ('dataset' in options.extra) {
      extraDataset = checkDatasetRef('options.extra.dataset', options.extra.dataset);
      externalCount = options.extra.n ?? extraDataset.n;
      assertInteger('options.extra.n', externalCount, { min: 0, max: extraDataset.n });
    } else {
      heldOut = options.extra.n;
      assertInteger('options.extra.n', heldOut, { min: 0 });
    }
  }
  const total = sizes.shared + sizes.candidates + sizes.independent + heldOut;
  if (total > n) {
    throw outOfRange('options.sizes', `group sizes summing to at most the dataset size ${n}`, `sizes summing to ${total}`, true);
  }
  const order = seededPermutation(n, seed);
  let at = 0;
  const take = (count: number): number[] => {
    const part = Array.from(order.subarray(at, at + count)).sort((a, b) => a - b);
    at += count;
    return part;
  };
  const candidates = take(sizes.candidates);
  const independent = take(sizes.independent);
  const shared = take(sizes.shared);
  let extra = take(heldOut);
  if (extraDataset) {
    extra = Array.from(seededPermutation(extraDataset.n, seed + 1).subarray(0, externalCount)).sort((a, b) => a - b);
  }
  const groups = { candidates, independent, shared, extra };
  return {
    format: MANIFEST_FORMAT,
    seed,
    dataset: { name: datasetName, fingerprint, n },
    extraDataset,
    sizes: { candidates: candidates.length, independent: independent.length, shared: shared.length, extra: extra.length },
    groups,
  };
}

/** Writes the manifest as pretty JSON, atomically (temp file in the same directory, then rename). */
export function writeManifest(path: string, manifest: SplitManifest): void {
  validateManifest(manifest, 'manifest');
  writeFileAtomic(path, JSON.stringify(manifest, null, 2) + '\n');
}

/**
 * Reads and validates a manifest. With `expect`, also checks that it was dealt for that dataset
 * (and that extra dataset): a different fingerprint or size is an SslmemError with code
 * ERR_SSLMEM_MISMATCH, because scores would silently refer to the wrong images.
 */
export function readManifest(path: string, expect?: { dataset?: DatasetRef | { fingerprint: string; n: number }; extraDataset?: { fingerprint: string; n: number } }): SplitManifest {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SslmemError(ErrorCodes.fileNotFound, `Could not read the manifest ${path}: ${(cause as Error).message}`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new SslmemError(ErrorCodes.corruptFile, `The manifest ${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const manifest = validateManifest(value, `manifest ${path}`);
  if (expect?.dataset) checkManifestDataset(manifest, expect.dataset, 'dataset');
  if (expect?.extraDataset) checkManifestDataset(manifest, expect.extraDataset, 'extraDataset');
  return manifest;
}

/**
 * Throws ERR_SSLMEM_MISMATCH unless the manifest's dataset (or extra dataset) has this fingerprint
 * and size.
 */
export function checkManifestDataset(manifest: SplitManifest, actual: { fingerprint: string; n: number }, which: 'dataset' | 'extraDataset' = 'dataset'): void {
  const recorded = which === 'dataset' ? manifest.dataset : manifest.extraDataset ?? manifest.dataset;
  if (recorded.fingerprint !== actual.fingerprint || recorded.n !== actual.n) {
    throw new SslmemError(
      ErrorCodes.mismatch,
      `Expected the ${which === 'dataset' ? 'dataset' : 'extra dataset'} the manifest was made for (${recorded.name}: ${recorded.n} images, fingerprint ${recorded.fingerprint.slice(0, 16)}...) but received ${actual.n} images with fingerprint ${actual.fingerprint.slice(0, 16)}...`,
    );
  }
}

/**
 * Checks the structure of a manifest: format, dataset references, integer indices in range, sizes
 * equal to the index counts, and no index in two groups (S_E only competes with the others when it
 * indexes the same dataset). Throws TypeError/RangeError naming the offending field.
 */
export function validateManifest(value: unknown, name = 'manifest'): SplitManifest {
  assertObject(name, value);
  if (value.format !== MANIFEST_FORMAT) throw outOfRange(`${name}.format`, JSON.stringify(MANIFEST_FORMAT), value.format);
  assertInteger(`${name}.seed`, value.seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
  const dataset = checkDatasetRef(`${name}.dataset`, value.dataset);
  const extraDataset = value.extraDataset === null || value.extraDataset === undefined ? null : checkDatasetRef(`${name}.extraDataset`, value.extraDataset);
  assertObject(`${name}.groups`, value.groups);
  assertObject(`${name}.sizes`, value.sizes);
  const groups = value.groups as Record<string, unknown>;
  const sizes = value.sizes as Record<string, unknown>;
  const owner = new Map<number, SplitGroup>();
  for (const group of SPLIT_GROUPS) {
    const indices = groups[group] ?? [];
    if (!Array.isArray(indices)) throw invalidType(`${name}.groups.${group}`, 'an array of indices', indices);
    const external = group === 'extra' && extraDataset !== null;
    const limit = external ? extraDataset!.n : dataset.n;
    const seen = new Set<number>();
    indices.forEach((index, i) => {
      const field = `${name}.groups.${group}[${i}]`;
      assertInteger(field, index, { min: 0, max: limit - 1 });
      if (seen.has(index)) throw outOfRange(field, `an index not already in ${group}`, `the duplicate ${index}`, true);
      seen.add(index);
      if (!external) {
        const other = owner.get(index);
        if (other !== undefined) throw outOfRange(field, `an index in one group only (overlapping groups)`, `${index}, already in ${other}`, true);
        owner.set(index, group);
      }
    });
    const size = sizes[group] ?? 0;
    if (size !== indices.length) throw outOfRange(`${name}.sizes.${group}`, `${indices.length} (the number of indices listed)`, size);
  }
  return {
    format: MANIFEST_FORMAT,
    seed: value.seed as number,
    dataset,
    extraDataset,
    sizes: Object.fromEntries(SPLIT_GROUPS.map((g) => [g, ((groups[g] as number[]) ?? []).length])) as Record<SplitGroup, number>,
    groups: Object.fromEntries(SPLIT_GROUPS.map((g) => [g, [...((groups[g] as number[]) ?? [])]])) as Record<SplitGroup, number[]>,
  };
}

function checkDatasetRef(name: string, value: unknown): DatasetRef {
  if (!isPlainObject(value)) throw invalidType(name, 'an object {name, fingerprint, n}', value);
  assertString(`${name}.name`, value.name, { nonEmpty: true });
  assertFingerprint(`${name}.fingerprint`, value.fingerprint);
  assertInteger(`${name}.n`, value.n, { min: 1 });
  return { name: value.name as string, fingerprint: value.fingerprint as string, n: value.n as number };
}

function assertFingerprint(name: string, value: unknown): asserts value is string {
  assertString(name, value);
  if (!/^[0-9a-f]{64}$/.test(value)) throw outOfRange(name, 'a sha256 hex digest (64 lowercase hex digits)', value);
}
