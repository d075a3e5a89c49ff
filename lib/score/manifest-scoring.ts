/**
 * Scoring the groups of a split manifest: which points are scored (S_C, S_I, a seeded sample of
 * S_S, S_E), their images and labels from the right dataset, a shard's slice of them, and the run
 * description every output records.
 */
import { datasetFingerprint } from '../data';
import type { ImageDataset } from '../data/types';
import { outOfRange } from '../errors';
import type { Uint8Tensor } from '../tensor';
import { assertInteger, assertObject, assertOptions } from '../validate';
import { seededPermutation } from './random';
import { DEFAULT_VIEWS, pairsPerChunk, PointScores, resolveLayers, score, ScoreLayersResult, scoreLayers, ScoreOptions, ScoreResult } from './score';
import { Shard, shardRange } from './shard';
import { checkManifestDataset, SPLIT_GROUPS, SplitGroup, SplitManifest } from './splits';
import type { LayerPointScore, PointScore, ScoreRunInfo } from './summary';

/** Point k's numbers in per-point score arrays. */
function pointAt(scores: PointScores, k: number): LayerPointScore {
  return { lossF: scores.lossF[k], lossG: scores.lossG[k], m: scores.m[k], se: scores.se[k], count: scores.count[k] };
}

/** One point to score. */
export interface PlannedPoint {
  group: SplitGroup;
  /** Index into its dataset (S_E may index the extra dataset). */
  index: number;
  label: number;
  /** Key of its view streams: the index, offset by the main dataset's size for an external S_E. */
  itemId: number;
}

export interface PlanOptions {
  /** Groups to score, default all four (in the order candidates, independent, shared, extra). */
  groups?: readonly SplitGroup[];
  /** How many S_S points to score (a seeded sample, stream manifest.seed + 2); default all. */
  sharedSample?: number;
}

/** The points to score, in output order: each group's indices ascending, groups in SPLIT_GROUPS order. */
export function planPoints(manifest: SplitManifest, options: PlanOptions = {}): PlannedPoint[] {
  assertOptions('options', options);
  const wanted = new Set(options.groups ?? SPLIT_GROUPS);
  const out: Array<Omit<PlannedPoint, 'label'>> = [];
  for (const group of SPLIT_GROUPS) {
    if (!wanted.has(group)) continue;
    let indices = manifest.groups[group];
    if (group === 'shared' && options.sharedSample !== undefined && options.sharedSample < indices.length) {
      assertInteger('options.sharedSample', options.sharedSample, { min: 0 });
      const order = seededPermutation(indices.length, manifest.seed + 2).subarray(0, options.sharedSample);
      indices = Array.from(order, (k) => indices[k]).sort((a, b) => a - b);
    }
    const external = group === 'extra' && manifest.extraDataset !== null;
    for (const index of indices) out.push({ group, index, itemId: external ? manifest.dataset.n + index : index });
  }
  return out.map((p) => ({ ...p, label: -1 }));
}

/** Images and labels of planned points, gathered (copied) from their datasets. */
export function gatherPoints(points: readonly PlannedPoint[], manifest: SplitManifest, dataset: ImageDataset, extraDataset?: ImageDataset): { images: Uint8Tensor; labels: Int32Array } {
  const [, h, w, c] = dataset.images.shape;
  const size = h * w * c;
  const data = new Uint8Array(points.length * size);
  const labels = new Int32Array(points.length);
  points.forEach((p, k) => {
    const external = p.group === 'extra' && manifest.extraDataset !== null;
    const source = external ? extraDataset : dataset;
    if (!source) throw outOfRange('extraDataset', `the dataset S_E indexes (${manifest.extraDataset!.name})`, 'none', true);
    const [, sh, sw, sc] = source.images.shape;
    if (sh !== h || sw !== w || sc !== c) throw outOfRange('extraDataset.images.shape', `[N, ${h}, ${w}, ${c}] like the main dataset`, `[${source.images.shape.join(', ')}]`, true);
    data.set(source.images.data.subarray(p.index * size, (p.index + 1) * size), k * size);
    labels[k] = source.labels[p.index];
  });
  return { images: { data, shape: [points.length, h, w, c] }, labels };
}

export interface ScoreManifestOptions extends Omit<ScoreOptions, 'images' | 'itemIds'>, PlanOptions {
  manifest: SplitManifest;
  dataset: ImageDataset;
  /** The dataset S_E indexes, when the manifest says it is another one (e.g. the test split). */
  extraDataset?: ImageDataset;
  /** Score only this shard's contiguous slice of the planned points. */
  shard?: Shard;
  /**
   * Score only the planned points [start, end) (instead of a shard): lib/design/segments.ts scores a
   * run in such segments so that each can be kept durably. Points are keyed by their item ids, so
   * each gets the score it gets in the whole run.
   */
  range?: { start: number; end: number };
  /**
   * LayerMem: also score these layers (or 'all') of the encoders ({@link scoreLayers}); each point
   * gets `layers`, the run `layers`. The points' own numbers stay the representation's (the last
   * layer, read in the same pass), equal to a run without layers.
   */
  layers?: readonly string[] | 'all';
}

export interface ManifestScores {
  run: ScoreRunInfo;
  /** Raw scores of the (shard's) points, in plan order. */
  points: PointScore[];
  /** Points in the whole plan (all shards). */
  total: number;
  /** The raw scoring result (for timing and view counts). */
  result: ScoreResult;
}

/**
 * Scores the manifest's groups with (f, g). Checks first that the datasets are the ones the manifest
 * was dealt for (fingerprint and size; ERR_SSLMEM_MISMATCH otherwise).
 */
export async function scoreManifest(options: ScoreManifestOptions): Promise<ManifestScores> {
  assertObject('options', options);
  const { manifest, dataset, extraDataset } = options;
  checkManifestDataset(manifest, { fingerprint: datasetFingerprint(dataset), n: dataset.images.shape[0] }, 'dataset');
  if (manifest.extraDataset && (options.groups ?? SPLIT_GROUPS).includes('extra') && manifest.groups.extra.length > 0) {
    if (!extraDataset) throw outOfRange('options.extraDataset', `the dataset S_E indexes (${manifest.extraDataset.name})`, 'none', true);
    checkManifestDataset(manifest, { fingerprint: datasetFingerprint(extraDataset), n: extraDataset.images.shape[0] }, 'extraDataset');
  }
  const plan = planPoints(manifest, options);
  const total = plan.length;
  if (options.range !== undefined) {
    if (options.shard !== undefined) throw outOfRange('options.range', 'no range together with options.shard', 'both', true);
    assertInteger('options.range.start', options.range.start, { min: 0, max: total - 1 });
    assertInteger('options.range.end', options.range.end, { min: options.range.start + 1, max: total });
  }
  const slice = options.range ?? (options.shard ? shardRange(total, options.shard) : { start: 0, end: total });
  const chosen = plan.slice(slice.start, slice.end);
  if (chosen.length === 0) throw outOfRange('options.shard', 'a shard with at least one point', `an empty slice of ${total} points`, true);
  const { images, labels } = gatherPoints(chosen, manifest, dataset, extraDataset);
  const itemIds = chosen.map((p) => p.itemId);
  let result: ScoreResult;
  let layers: string[] | undefined;
  let layerResult: ScoreLayersResult | undefined;
  if (options.layers === undefined) {
    result = await score({ ...options, images, itemIds });
  } else {
    layers = resolveLayers(options.layers, options.f, options.g);
    const last = options.f.layers![options.f.layers!.length - 1];
    layerResult = await scoreLayers({ ...options, images, itemIds, layers: layers.includes(last) ? layers : [...layers, last] });
    result = { ...layerResult, ...layerResult.perLayer[layerResult.layers.indexOf(last)] };
  }
  const points: PointScore[] = chosen.map((p, k) => ({
    index: p.index,
    group: p.group,
    label: labels[k],
    lossF: result.lossF[k],
    lossG: result.lossG[k],
    m: result.m[k],
    se: result.se[k],
    count: result.count[k],
    ...(layers ? { layers: layers.map((_, l) => pointAt(layerResult!.perLayer[l], k)) } : {}),
  }));
  const describeEncoder = (e: ScoreOptions['f']) => {
    const d = e.description;
    return { architecture: d.architecture, inputShape: d.inputShape, reprDim: d.reprDim, method: d.method ?? null, epoch: d.epoch, dataFingerprint: d.dataFingerprint ?? null };
  };
  const run: ScoreRunInfo = {
    mode: result.mode,
    metric: result.metric,
    pairing: result.pairing,
    views: options.views ?? DEFAULT_VIEWS,
    pairsPerPoint: pairsPerChunk(result.mode, options.views ?? DEFAULT_VIEWS),
    adaptive: result.adaptive,
    pipeline: result.pipeline,
    seed: result.seed,
    precision: result.precision,
    classes: dataset.classes,
    provenance: {
      dataset: manifest.dataset,
      extraDataset: manifest.extraDataset,
      manifestSeed: manifest.seed,
      sharedSample: options.sharedSample ?? null,
      encoders: { f: describeEncoder(options.f), g: describeEncoder(options.g) },
    },
    ...(layers ? { layers } : {}),
  };
  return { run, points, total, result };
}
