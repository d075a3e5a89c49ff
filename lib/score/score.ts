/**
 * SSLMem scoring (Wang et al., "Memorization in Self-Supervised Learning Improves Downstream
 * Generalization", ICLR 2024): for every point, V augmented views, the SAME views through encoders
 * f (trained with the point) and g (trained without), the per-pair alignment distances d_f, d_g and
 * their paired difference: L_f, L_g, m = mean(d_g - d_f) and its standard error.
 *
 * `views` counts augmented views in every mode, as the authors' code does (its "5 views" are five
 * augmented views, each compared with the clean image): anchor mode renders the clean image as view
 * 0 and V augmented views 1..V (V pairs), pairs mode V augmented views (floor(V/2) pairs).
 *
 * Two kinds of concurrency: points are processed in batches, and while encoders f and g embed batch
 * b (libtorch, on a worker thread) the next batch's views are already being augmented (kernel tier,
 * on another worker thread); `threads` sets the threads inside each augmentation and alignment job.
 * Views are keyed by (seed, chunk, item id, view), so every score is independent of the batch size,
 * the thread count and of which other points are scored with it (sharding).
 */
import { alignDifference, AlignMetric, alignMetrics } from '../align';
import { augment, PipelineSpec, resolvePipeline, withCleanAnchor } from '../augment';
import { gatherImages } from '../data/subset';
import { abortError, ErrorCodes, outOfRange, SslmemError } from '../errors';
import { assertTensor, Float32Tensor, Uint8Tensor } from '../tensor';
import { assertAbortSignal, assertFunction, assertInteger, assertNumber, assertObject, assertOneOf, assertThreads } from '../validate';
import { combineMoments } from './stats';

/**
 * What scoring needs of an encoder: the torch tier's `Encoder` (lib/encoder) satisfies it; anything
 * else with the same shape (e.g. a test double or a remote encoder) can be scored too.
 */
export interface ScoringEncoder {
  readonly description: {
    architecture: string;
    /** [C, H, W] the encoder takes. */
    inputShape: [number, number, number] | number[];
    reprDim: number;
    method?: string;
    epoch: number;
    dataFingerprint?: string;
    /** Per-channel normalization of its input (pixels scaled to [0, 1] first). */
    normalize?: { mean: number[]; std: number[] };
  };
  /** Representations [M, D] of normalized views [M, C, H, W]. */
  embedViews(views: Float32Tensor, options?: { batchSize?: number; signal?: AbortSignal }): Promise<Float32Tensor>;
}

/** Scoring modes: 'anchor' compares the clean view 0 with each augmented view (the authors' code); 'pairs' disjoint pairs of augmented views (the paper's formula). */
export const scoreModes = ['anchor', 'pairs'] as const;
export type ScoreMode = (typeof scoreModes)[number];

/** Default augmentation pipeline for scoring: the augment capability's preset of the authors' scoring views. */
export const DEFAULT_SCORING_PIPELINE = 'sslmem-scoring';

/** Default augmented views per point: 16 pairs in anchor mode (each view against the clean image), 8 in pairs mode. */
export const DEFAULT_VIEWS = 16;

/** Fewest augmented views per point: anchor mode needs 2 pairs for a standard error, pairs mode 2 pairs from 4 views. */
export const MIN_VIEWS: Readonly<Record<ScoreMode, number>> = { anchor: 2, pairs: 4 };

export interface ScoreProgress {
  /** Points finished. */
  done: number;
  total: number;
  /** Views embedded so far, each through both encoders: rendered views, so in anchor mode the clean anchor of every chunk counts too. */
  views: number;
}

export interface AdaptiveOptions {
  /** Keep adding views to a point while the standard error of its m is above this. */
  targetSe: number;
  /** Budget of augmented views per point, including the initial `views` (clean anchors not counted). */
  maxViews: number;
  /**
   * Augmented views added per round: each round is a fresh keyed chunk, which in anchor mode also
   * renders the clean anchor (step + 1 views embedded, step pairs) and in pairs mode gives
   * floor(step/2) pairs. At least 1 in anchor mode, 2 in pairs mode.
   */
  step: number;
}

export interface ScoreOptions {
  /** Encoder trained WITH the points (e.g. on S_S + S_C). */
  f: ScoringEncoder;
  /** Encoder trained WITHOUT them (e.g. on S_S + S_I). Same inputShape and normalization as f. */
  g: ScoringEncoder;
  /** Points to score, uint8 [N, H, W, C]. */
  images: Uint8Tensor;
  /** Keys of the views' random streams, one per point (default 0..N-1): give dataset indices so scores do not depend on which points are scored together. */
  itemIds?: ArrayLike<number>;
  /**
   * Augmentation pipeline (spec or preset name). Default {@link DEFAULT_SCORING_PIPELINE}. A preset
   * gets the encoders' input size and normalization; a spec's normalize step must equal the
   * encoders' (it is filled in when absent) and its size their input size.
   */
  pipeline?: PipelineSpec | string;
  /** Default 'anchor'. */
  mode?: ScoreMode;
  /**
   * Augmented views per point (default {@link DEFAULT_VIEWS}), the same meaning in every mode. Anchor
   * mode compares each with the clean image: V pairs, V + 1 views rendered and embedded (needs
   * V >= 2); pairs mode pairs them up: floor(V/2) pairs (needs V >= 4).
   */
  views?: number;
  /** Distance between two views' representations. Default 'l2-normalized'. */
  metric?: AlignMetric;
  /** Seed of the view streams. Default 0. */
  seed?: number;
  /** Points per batch (default 64). Does not change the scores: each point's views go through an encoder as one forward pass. */
  batchSize?: number;
  /** Threads inside each augmentation/alignment job, 0 = all (default). Does not change the scores. */
  threads?: number;
  /** Adaptive precision (default off). */
  adaptive?: AdaptiveOptions;
  onProgress?: (progress: ScoreProgress) => void;
  signal?: AbortSignal;
}

export interface ScoreResult {
  /** Per point: L_f, mean distance under f over its pairs. */
  lossF: Float64Array;
  /** Per point: L_g. */
  lossG: Float64Array;
  /** Per point: m = mean over pairs of (d_g - d_f). */
  m: Float64Array;
  /** Per point: standard error of m (sample std of the differences, ddof 1, over sqrt(count)). */
  se: Float64Array;
  /** Per point: number of pairs. */
  count: Int32Array;
  /** Per point: augmented views used (over all adaptive rounds); in anchor mode the clean anchors rendered with them are not counted. */
  views: Int32Array;
  mode: ScoreMode;
  metric: AlignMetric;
  pairing: 'anchor' | 'pairs';
  /** The pipeline exactly as applied (clean anchor and normalization included). */
  pipeline: PipelineSpec;
  seed: number;
  adaptive: AdaptiveOptions | null;
}

interface Resolved {
  mode: ScoreMode;
  views: number;
  metric: AlignMetric;
  seed: number;
  batchSize: number;
  threads: number;
  adaptive: AdaptiveOptions | null;
  pipeline: PipelineSpec;
  itemIds: Float64Array;
}

function sameNumbers(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Pairs a chunk of `views` augmented views gives: one per view against the clean anchor, or disjoint pairs. */
export function pairsPerChunk(mode: ScoreMode, views: number): number {
  return mode === 'anchor' ? views : Math.floor(views / 2);
}

/** Views a chunk of `views` augmented views renders and embeds: the clean anchor (view 0) too in anchor mode. */
export function viewsRendered(mode: ScoreMode, views: number): number {
  return mode === 'anchor' ? views + 1 : views;
}

/** Checks f, g and the images against each other and fills the pipeline's normalization. */
function resolve(options: ScoreOptions): Resolved {
  assertObject('options', options);
  const { f, g, images } = options;
  for (const [name, encoder] of [['options.f', f], ['options.g', g]] as const) {
    if (!encoder || typeof (encoder as ScoringEncoder).embedViews !== 'function') throw outOfRange(name, 'an Encoder', typeof encoder, true);
  }
  assertTensor('options.images', images, Uint8Array, 4);
  const [n, h, w, c] = images.shape;
  if (n < 1) throw outOfRange('options.images.shape[0]', 'at least 1 image', n);
  const fd = f.description;
  const gd = g.description;
  if (!sameNumbers(fd.inputShape, gd.inputShape)) {
    throw new SslmemError(ErrorCodes.mismatch, `Expected encoders f and g with the same input shape but received f [${fd.inputShape.join(', ')}] and g [${gd.inputShape.join(', ')}]`);
  }
  if (!sameNumbers(fd.normalize?.mean, gd.normalize?.mean) || !sameNumbers(fd.normalize?.std, gd.normalize?.std)) {
    throw new SslmemError(ErrorCodes.mismatch, `Expected encoders f and g with the same input normalization but received f ${JSON.stringify(fd.normalize ?? null)} and g ${JSON.stringify(gd.normalize ?? null)}`);
  }
  const [ec, eh, ew] = fd.inputShape;
  if (c !== ec) throw outOfRange('options.images.shape[3]', `${ec} channels (the encoders' input shape [${fd.inputShape.join(', ')}])`, c);
  const mode = options.mode ?? 'anchor';
  assertOneOf('options.mode', mode, scoreModes);
  const views = options.views ?? DEFAULT_VIEWS;
  assertInteger('options.views', views, { max: 4096 });
  if (views < MIN_VIEWS[mode]) {
    const pairs = mode === 'anchor' ? 'each against the clean image' : 'in disjoint pairs';
    throw outOfRange('options.views', `at least ${MIN_VIEWS[mode]} augmented views in ${mode} mode (${pairs}: 2 pairs, so a standard error exists)`, views);
  }
  const metric = options.metric ?? 'l2-normalized';
  assertOneOf('options.metric', metric, alignMetrics);
  const seed = options.seed ?? 0;
  assertInteger('options.seed', seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
  const batchSize = options.batchSize ?? 64;
  assertInteger('options.batchSize', batchSize, { min: 1 });
  const threads = options.threads ?? 0;
  assertThreads('options.threads', threads);
  let adaptive: AdaptiveOptions | null = null;
  if (options.adaptive !== undefined) {
    assertObject('options.adaptive', options.adaptive);
    const { targetSe, maxViews, step } = options.adaptive;
    assertNumber('options.adaptive.targetSe', targetSe, { min: 0 });
    assertInteger('options.adaptive.maxViews', maxViews, { min: views });
    assertInteger('options.adaptive.step', step, { min: mode === 'anchor' ? 1 : 2, max: 4096 });
    adaptive = { targetSe, maxViews, step };
  }
  if (options.onProgress !== undefined) assertFunction('options.onProgress', options.onProgress);
  if (options.signal !== undefined) assertAbortSignal('options.signal', options.signal);
  const itemIds = Float64Array.from(options.itemIds ?? Array.from({ length: n }, (_, i) => i));
  if (itemIds.length !== n) throw outOfRange('options.itemIds', `${n} ids (one per image)`, `${itemIds.length}`, true);
  itemIds.forEach((id, i) => assertInteger(`options.itemIds[${i}]`, id, { min: 0, max: Number.MAX_SAFE_INTEGER }));

  const normalize = fd.normalize;
  // A preset is adapted to the encoders (their input size and normalization); an explicit spec must
  // already agree with them, because silently changing what the user wrote would hide a mistake.
  const preset = options.pipeline === undefined || typeof options.pipeline === 'string';
  const resolved = resolvePipeline(options.pipeline ?? DEFAULT_SCORING_PIPELINE);
  const base = mode === 'anchor' ? withCleanAnchor(resolved) : resolved;
  const pipeline: PipelineSpec = {
    ...base,
    views: base.views.map((view, v) => {
      if (preset) {
        const adapted = { ...view, size: [eh, ew] as [number, number] };
        if (normalize) adapted.normalize = { mean: [...normalize.mean], std: [...normalize.std] };
        else delete adapted.normalize;
        return adapted;
      }
      if (view.normalize === undefined) return normalize ? { ...view, normalize: { mean: [...normalize.mean], std: [...normalize.std] } } : { ...view };
      if (!normalize || !sameNumbers(view.normalize.mean, normalize.mean) || !sameNumbers(view.normalize.std, normalize.std)) {
        throw new SslmemError(
          ErrorCodes.mismatch,
          `Expected the pipeline's normalize step (view ${v}) to equal the encoders' normalization ${JSON.stringify(normalize ?? null)} but received ${JSON.stringify(view.normalize)}`,
        );
      }
      return { ...view };
    }),
  };
  for (const [v, view] of pipeline.views.entries()) {
    const size = view.size === undefined ? [h, w] : typeof view.size === 'number' ? [view.size, view.size] : view.size;
    if (size[0] !== eh || size[1] !== ew) {
      throw new SslmemError(ErrorCodes.mismatch, `Expected views of the encoders' input size ${eh}x${ew} but pipeline view ${v} gives ${size[0]}x${size[1]} (images are ${h}x${w}; set the pipeline's size)`);
    }
  }
  return { mode, views, metric, seed, batchSize, threads, adaptive, pipeline, itemIds };
}

interface ChunkStats {
  lossF: Float64Array;
  lossG: Float64Array;
  meanDiff: Float64Array;
  stdDiff: Float64Array;
  count: number;
}

/**
 * Scores every point: per point L_f, L_g, m = L_g - L_f (the mean of paired differences) and its
 * standard error. With `adaptive`, points whose se is above the target get further chunks of `step`
 * augmented views (fresh keyed views: chunk k uses augmentation epoch k; in anchor mode view 0 of
 * every chunk is the clean anchor) until the target or the budget of augmented views is reached;
 * chunk statistics are combined exactly (Chan et al.'s parallel mean/variance).
 *
 * @throws SslmemError ERR_SSLMEM_MISMATCH when f and g differ in input shape or normalization, or the
 * pipeline's normalization or size does not match them; TypeError/RangeError for bad options; an
 * AbortError when `signal` aborts.
 */
export async function score(options: ScoreOptions): Promise<ScoreResult> {
  const r = resolve(options);
  const { f, g, images, signal, onProgress } = options;
  const n = images.shape[0];
  const [c, eh, ew] = f.description.inputShape;
  const pairing = r.mode === 'anchor' ? 'anchor' : 'pairs';
  const lossF = new Float64Array(n);
  const lossG = new Float64Array(n);
  const m = new Float64Array(n);
  const se = new Float64Array(n);
  const count = new Int32Array(n);
  const viewsUsed = new Int32Array(n);
  const m2 = new Float64Array(n);
  let embedded = 0;
  let done = 0;

  const checkAbort = () => {
    if (signal?.aborted) throw abortError(signal.reason);
  };

  /**
   * Renders chunk `chunk` of the given points (rows of `images`) with `views` augmented views. The
   * keyed streams are (seed, chunk, item, view) with view 0 the clean anchor in anchor mode, so V
   * augmented views are exactly the views 1..V of a V + 1-view chunk.
   */
  const augmentChunk = (rows: ArrayLike<number>, views: number, chunk: number) =>
    augment(rows.length === n && chunk === 0 ? images : gatherImages(images, rows), {
      pipeline: r.pipeline,
      views: viewsRendered(r.mode, views),
      seed: r.seed,
      epoch: chunk,
      itemIds: Float64Array.from(rows, (i) => r.itemIds[i]),
      threads: r.threads,
      signal,
    });

  /** Embeds a rendered chunk ([points, rendered, C, H, W]) through f and g and aligns its pairs. */
  const embedAndAlign = async (viewsTensor: { data: Float32Array; shape: number[] }, points: number): Promise<ChunkStats> => {
    const views = viewsTensor.shape[1];
    const flat = { data: viewsTensor.data, shape: [points * views, c, eh, ew] };
    // One forward pass per point (its `views` rendered views): an AbortSignal is polled between
    // points, so Ctrl-C answers within one point's forward pass instead of a whole batch's, and a
    // point's embeddings do not depend on the batch size or on the other points.
    const rf = await f.embedViews(flat, { batchSize: views, signal });
    const rg = await g.embedViews(flat, { batchSize: views, signal });
    const d = rf.shape[1];
    const diff = await alignDifference({ data: rf.data, shape: [points, views, d] }, { data: rg.data, shape: [points, views, d] }, { metric: r.metric, pairing, threads: r.threads });
    embedded += points * views;
    return { lossF: diff.meanF, lossG: diff.meanG, meanDiff: diff.meanDiff, stdDiff: diff.stdDiff, count: diff.count };
  };

  /** Folds a chunk's statistics into the points' running totals (Chan et al.); `views` counts its augmented views. */
  const accumulate = (rows: ArrayLike<number>, stats: ChunkStats, views: number) => {
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k];
      const before = count[i];
      const sd = stats.stdDiff[k];
      const chunkM2 = stats.count > 1 ? sd * sd * (stats.count - 1) : 0;
      const merged = combineMoments({ count: before, mean: m[i], m2: m2[i] }, { count: stats.count, mean: stats.meanDiff[k], m2: chunkM2 });
      const total = before + stats.count;
      lossF[i] = before === 0 ? stats.lossF[k] : (lossF[i] * before + stats.lossF[k] * stats.count) / total;
      lossG[i] = before === 0 ? stats.lossG[k] : (lossG[i] * before + stats.lossG[k] * stats.count) / total;
      m[i] = merged.mean;
      m2[i] = merged.m2;
      count[i] = total;
      viewsUsed[i] += views;
      se[i] = total > 1 ? Math.sqrt(merged.m2 / (total - 1) / total) : NaN;
    }
  };

  const batches: number[][] = [];
  for (let start = 0; start < n; start += r.batchSize) batches.push(Array.from({ length: Math.min(r.batchSize, n - start) }, (_, k) => start + k));

  checkAbort();
  let next: Promise<{ data: Float32Array; shape: number[] }> | undefined = augmentChunk(batches[0], r.views, 0);
  for (let b = 0; b < batches.length; b++) {
    const rows = batches[b];
    const current: Promise<{ data: Float32Array; shape: number[] }> = next!;
    // Start augmenting the next batch now, so it runs while f and g embed this one.
    next = b + 1 < batches.length ? augmentChunk(batches[b + 1], r.views, 0) : undefined;
    next?.catch(() => undefined); // its error (if any) is raised when it is awaited
    try {
      checkAbort();
      accumulate(rows, await embedAndAlign(await current, rows.length), r.views);
      if (r.adaptive) await refine(rows);
    } catch (error) {
      await next?.catch(() => undefined);
      throw error;
    }
    done += rows.length;
    onProgress?.({ done, total: n, views: embedded });
  }

  async function refine(rows: number[]): Promise<void> {
    const { targetSe, maxViews, step } = r.adaptive!;
    for (let chunk = 1; ; chunk++) {
      const pending = rows.filter((i) => !(se[i] <= targetSe) && viewsUsed[i] + step <= maxViews);
      if (pending.length === 0) return;
      checkAbort();
      const views = await augmentChunk(pending, step, chunk);
      accumulate(pending, await embedAndAlign(views, pending.length), step);
    }
  }

  return { lossF, lossG, m, se, count, views: viewsUsed, mode: r.mode, metric: r.metric, pairing, pipeline: r.pipeline, seed: r.seed, adaptive: r.adaptive };
}
