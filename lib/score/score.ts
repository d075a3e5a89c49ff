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
 * Three kinds of concurrency: points are processed in batches, and while encoders f and g embed
 * batch b (libtorch, on worker threads: side by side, each with half the threads, when there are
 * two or more) the next batch's views are already being augmented (kernel tier, on another worker
 * thread); `threads` sets the threads inside each augmentation and alignment job. The encoders run
 * their inference graphs (lib/encoder: frozen, batch norm folded, oneDNN-prepacked).
 * Views are keyed by (seed, chunk, item id, view) and no forward pass holds two points, so every
 * score is independent of the batch size and of which other points are scored with it (sharding),
 * bit for bit; the thread count changes libtorch's rounding (about 1e-8 in m), never more.
 */
import { alignDifference, AlignMetric, alignMetrics } from '../align';
import { augment, PipelineSpec, resolvePipeline, withCleanAnchor } from '../augment';
import { gatherImages } from '../data/subset';
import { abortError, ErrorCodes, invalidType, outOfRange, SslmemError } from '../errors';
import { assertTensor, Float32Tensor, Uint8Tensor } from '../tensor';
import { assertAbortSignal, assertFunction, assertInteger, assertNumber, assertObject, assertOneOf, assertThreads } from '../validate';
import { kernels } from '../binding';
import { Precision, resolveInference } from '../encoder/inference';
import { combineMoments } from './stats';

/** How scoring asks an encoder to run one call's forward passes (lib/encoder's EmbedViewsOptions). */
export interface ScoringEmbedOptions {
  batchSize?: number;
  signal?: AbortSignal;
  /** Rows per group: no forward pass spans two groups (one point's views). */
  group?: number;
  graph?: boolean;
  precision?: Precision;
  /** libtorch threads of this call. */
  threads?: number;
}

/**
 * What scoring needs of an encoder: the torch tier's `Encoder` (lib/encoder) satisfies it; anything
 * else with the same shape (e.g. a test double or a remote encoder) can be scored too, and may
 * ignore the options it has no use for.
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
  embedViews(views: Float32Tensor, options?: ScoringEmbedOptions): Promise<Float32Tensor>;
  /** Layers {@link scoreLayers} can read, input to output; the last is the representation (needed for layer scoring). */
  readonly layers?: readonly string[];
  /** Whether a name not in `layers` can be read too (a TorchScript import's dotted submodule path); default: only `layers`. */
  hasLayer?(name: string): boolean;
  /** Outputs of the named layers for normalized views, each flattened to [M, D_layer], from one forward pass (needed for layer scoring). */
  embedViewsLayers?(views: Float32Tensor, layers: readonly string[], options?: { batchSize?: number; signal?: AbortSignal; threads?: number }): Promise<Float32Tensor[]>;
}

/** Scoring modes: 'anchor' compares the clean view 0 with each augmented view (the authors' code); 'pairs' disjoint pairs of augmented views (the paper's formula). */
export const scoreModes = ['anchor', 'pairs'] as const;
export type ScoreMode = (typeof scoreModes)[number];

/** Default augmentation pipeline for scoring: the augment capability's preset of the authors' scoring views. */
export const DEFAULT_SCORING_PIPELINE = 'sslmem-scoring';

/** Default augmented views per point: 16 pairs in anchor mode (each view against the clean image), 8 in pairs mode. */
export const DEFAULT_VIEWS = 16;

/**
 * Most views in one forward pass: a point's views beyond it are cut into even pieces. Forward
 * passes get slower per image past about a hundred 28-32 px images (activations leave the cache:
 * bench/RESULTS.md "score: profile"), and this bounds the memory of very many views.
 */
export const MAX_FORWARD_ROWS = 128;

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
  /**
   * Threads, 0 = all hardware threads (default): of each augmentation and alignment job, and of the
   * two encoders' forward passes together (with 2 or more, f and g run side by side, each on its
   * share). Does not change the scores beyond float rounding.
   */
  threads?: number;
  /**
   * 'fp32' (default) or 'bf16', opt-in: the encoders' convolutions and matrix products in bfloat16
   * (fast on CPUs with AVX-512-BF16 or AMX; docs/scoring-speed.md gives its measured effect on m).
   * Recorded in the result.
   */
  precision?: Precision;
  /** Run the encoders' inference graphs (default true; lib/encoder's InferenceOptions.graph). false: their plain forward passes. */
  graph?: boolean;
  /** Run f's and g's forward passes side by side, each on half the threads (default: when `threads` gives 2 or more). */
  concurrentEncoders?: boolean;
  /** Adaptive precision (default off). */
  adaptive?: AdaptiveOptions;
  onProgress?: (progress: ScoreProgress) => void;
  signal?: AbortSignal;
}

/** Per-point scores of one read-out (the representation, or one layer). */
export interface PointScores {
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
}

export interface ScoreResult extends PointScores {
  /** Per point: augmented views used (over all adaptive rounds); in anchor mode the clean anchors rendered with them are not counted. */
  views: Int32Array;
  mode: ScoreMode;
  metric: AlignMetric;
  pairing: 'anchor' | 'pairs';
  /** The pipeline exactly as applied (clean anchor and normalization included). */
  pipeline: PipelineSpec;
  seed: number;
  adaptive: AdaptiveOptions | null;
  /** Precision of the forward passes. */
  precision: Precision;
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
  precision: Precision;
  graph: boolean;
  /** libtorch threads of f's and g's calls; side by side when `concurrent`. */
  encoderThreads: [number, number];
  concurrent: boolean;
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

/**
 * The options every keyed pass over points shares (score, scoreLayers, unitMem), checked: seed of
 * the view streams (default 0), points per batch (default 64), threads (default 0 = all) and the
 * points' item ids (default 0..n-1).
 */
export function resolvePassOptions(options: { seed?: number; batchSize?: number; threads?: number; itemIds?: ArrayLike<number> }, n: number) {
  const seed = options.seed ?? 0;
  assertInteger('options.seed', seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
  const batchSize = options.batchSize ?? 64;
  assertInteger('options.batchSize', batchSize, { min: 1 });
  const threads = options.threads ?? 0;
  assertThreads('options.threads', threads);
  const itemIds = Float64Array.from(options.itemIds ?? Array.from({ length: n }, (_, i) => i));
  if (itemIds.length !== n) throw outOfRange('options.itemIds', `${n} ids (one per image)`, `${itemIds.length}`, true);
  itemIds.forEach((id, i) => assertInteger(`options.itemIds[${i}]`, id, { min: 0, max: Number.MAX_SAFE_INTEGER }));
  return { seed, batchSize, threads, itemIds };
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
  const { seed, batchSize, threads, itemIds } = resolvePassOptions(options, n);
  let adaptive: AdaptiveOptions | null = null;
  if (options.adaptive !== undefined) {
    assertObject('options.adaptive', options.adaptive);
    const { targetSe, maxViews, step } = options.adaptive;
    assertNumber('options.adaptive.targetSe', targetSe, { min: 0 });
    assertInteger('options.adaptive.maxViews', maxViews, { min: views });
    assertInteger('options.adaptive.step', step, { min: mode === 'anchor' ? 1 : 2, max: 4096 });
    adaptive = { targetSe, maxViews, step };
  }
  // `threads` means more here than in one encoder call (kernel jobs too): it is checked above.
  const { graph, precision } = resolveInference({ graph: options.graph, precision: options.precision });
  const torchThreads = threads > 0 ? threads : kernels().capabilities().hardwareThreads;
  const concurrent = options.concurrentEncoders ?? torchThreads >= 2;
  if (typeof concurrent !== 'boolean') throw invalidType('options.concurrentEncoders', 'a boolean', concurrent);
  // Side by side, each encoder gets its share; one after the other, each gets all.
  const encoderThreads: [number, number] = concurrent ? [Math.max(1, Math.ceil(torchThreads / 2)), Math.max(1, Math.floor(torchThreads / 2))] : [torchThreads, torchThreads];
  if (options.onProgress !== undefined) assertFunction('options.onProgress', options.onProgress);
  if (options.signal !== undefined) assertAbortSignal('options.signal', options.signal);

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
  return { mode, views, metric, seed, batchSize, threads, adaptive, pipeline, itemIds, precision, graph, encoderThreads, concurrent };
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
  const { f, g } = options;
  const run = await scoreReadouts(options, r, 1, async (encoder, views, call) => [await encoder.embedViews(views, call)], [f, g]);
  return { ...run.scores[0], views: run.views, ...runInfo(r) };
}

/** What every result records of how it was made. */
function runInfo(r: Resolved) {
  return { mode: r.mode, metric: r.metric, pairing: r.mode === 'anchor' ? ('anchor' as const) : ('pairs' as const), pipeline: r.pipeline, seed: r.seed, adaptive: r.adaptive, precision: r.precision };
}

/** Options of {@link scoreLayers}: those of {@link score} and the layers to read. */
export interface ScoreLayersOptions extends ScoreOptions {
  /**
   * Layers to score, input to output order not required, or 'all' (every layer f names). Each must be
   * a layer of both encoders; the last layer of an encoder is its representation.
   */
  layers: readonly string[] | 'all';
}

/** LayerMem's result: per layer the same per-point scores as {@link score}, from the same views. */
export interface ScoreLayersResult extends Omit<ScoreResult, keyof PointScores> {
  /** The layers scored, in the order asked ('all': the encoders' order). */
  layers: string[];
  /** Per layer (same order), the per-point scores. */
  perLayer: PointScores[];
}

/** Whether `encoder` reads layer `name`: listed in its `layers`, or accepted by its `hasLayer` (dotted TorchScript paths). */
export function readsLayer(encoder: { readonly layers?: readonly string[]; hasLayer?(name: string): boolean }, name: string): boolean {
  return encoder.layers?.includes(name) === true || (typeof encoder.hasLayer === 'function' && encoder.hasLayer(name));
}

/** The layers `options.layers` names, checked against both encoders (RangeError naming the entry). */
export function resolveLayers(layers: unknown, f: ScoringEncoder, g: ScoringEncoder, name = 'options.layers'): string[] {
  for (const [name, encoder] of [['options.f', f], ['options.g', g]] as const) {
    if (!Array.isArray(encoder.layers) || typeof encoder.embedViewsLayers !== 'function') throw outOfRange(name, 'an encoder with layer read-outs (layers, embedViewsLayers)', 'one without', true);
  }
  const known = f.layers!;
  if (layers === 'all') return [...known];
  if (!Array.isArray(layers) || layers.length === 0) throw outOfRange(name, "a non-empty array of layer names or 'all'", layers);
  layers.forEach((layer, i) => {
    if (typeof layer !== 'string') throw outOfRange(`${name}[${i}]`, 'a layer name', layer);
    for (const [role, encoder] of [['f', f], ['g', g]] as const) {
      if (!readsLayer(encoder, layer)) throw outOfRange(`${name}[${i}]`, `a layer of encoder ${role} (${encoder.layers!.join(', ')})`, JSON.stringify(layer), true);
    }
    if (layers.indexOf(layer) !== i) throw outOfRange(`${name}[${i}]`, 'each layer once', JSON.stringify(layer), true);
  });
  return [...(layers as string[])];
}

/**
 * LayerMem (Wang et al., "Localizing Memorization in SSL Vision Encoders", NeurIPS 2024): the SSLMem
 * score of every point at each chosen layer, the layer's output flattened (and, with the default
 * metric, L2-normalized) as the reference does. Every layer sees the same views through f and g as
 * {@link score} would, all layers from one forward pass per batch, so the scores at the encoders'
 * last layer (the representation) equal {@link score}'s bit for bit. With `adaptive`, the
 * representation's standard error decides when a point has enough views (it is always read, as the
 * pass's last layer); every layer gets those same views.
 *
 * @throws as {@link score}; RangeError when an encoder has no read-outs or a layer is not one of both encoders'.
 */
export async function scoreLayers(options: ScoreLayersOptions): Promise<ScoreLayersResult> {
  const r = resolve(options);
  const { f, g } = options;
  const layers = resolveLayers(options.layers, f, g);
  const last = f.layers![f.layers!.length - 1];
  // The representation drives adaptive precision: read it as an extra layer when it was not asked for.
  const read = r.adaptive && !layers.includes(last) ? [...layers, last] : layers;
  const steer = read.indexOf(last);
  const run = await scoreReadouts(options, r, read.length, (encoder, views, call) => encoder.embedViewsLayers!(views, read, { batchSize: call.group, signal: call.signal, threads: call.threads }), [f, g], steer >= 0 ? steer : 0);
  return { layers, perLayer: run.scores.slice(0, layers.length), views: run.views, ...runInfo(r) };
}

/** Embeds a batch of views through one encoder: one [M, D] tensor per read-out; `call.group` rows are one point's views. */
type Readout = (encoder: ScoringEncoder, views: Float32Tensor, call: ScoringEmbedOptions & { group: number }) => Promise<Float32Tensor[]>;

function emptyScores(n: number): PointScores & { m2: Float64Array } {
  return { lossF: new Float64Array(n), lossG: new Float64Array(n), m: new Float64Array(n), se: new Float64Array(n), count: new Int32Array(n), m2: new Float64Array(n) };
}

/**
 * The scoring loop shared by {@link score} and {@link scoreLayers}: batches of points, their views
 * augmented one batch ahead, each batch embedded through f and g by `readout` (`readouts` tensors
 * each), every read-out aligned and folded into its own per-point totals. Read-out `steer` decides
 * adaptive refinement.
 */
async function scoreReadouts(options: ScoreOptions, r: Resolved, readouts: number, readout: Readout, [f, g]: [ScoringEncoder, ScoringEncoder], steer = 0): Promise<{ scores: PointScores[]; views: Int32Array }> {
  const { images, signal, onProgress } = options;
  const n = images.shape[0];
  const [c, eh, ew] = f.description.inputShape;
  const pairing = r.mode === 'anchor' ? 'anchor' : 'pairs';
  const totals = Array.from({ length: readouts }, () => emptyScores(n));
  const se = totals[steer].se;
  const viewsUsed = new Int32Array(n);
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

  /** Embeds a rendered chunk ([points, rendered, C, H, W]) through f and g and aligns the pairs of every read-out. */
  const embedAndAlign = async (viewsTensor: { data: Float32Array; shape: number[] }, points: number): Promise<ChunkStats[]> => {
    const views = viewsTensor.shape[1];
    const flat = { data: viewsTensor.data, shape: [points * views, c, eh, ew] };
    // A point's views are one group: its forward passes hold no other point (one pass up to
    // MAX_FORWARD_ROWS views), so an AbortSignal polled between passes answers within one point's
    // pass, and a point's embeddings do not depend on the batch size or on the other points.
    const call = (threads: number) => ({ group: views, batchSize: MAX_FORWARD_ROWS, signal, graph: r.graph, precision: r.precision, threads });
    const [rf, rg] = r.concurrent
      ? await Promise.all([readout(f, flat, call(r.encoderThreads[0])), readout(g, flat, call(r.encoderThreads[1]))])
      : [await readout(f, flat, call(r.encoderThreads[0])), await readout(g, flat, call(r.encoderThreads[1]))];
    const out: ChunkStats[] = [];
    for (let l = 0; l < readouts; l++) {
      const d = rf[l].shape[1];
      if (rg[l].shape[1] !== d) throw new SslmemError(ErrorCodes.mismatch, `Expected encoders f and g with the same output size at read-out ${l} but received ${d} and ${rg[l].shape[1]}`);
      const diff = await alignDifference({ data: rf[l].data, shape: [points, views, d] }, { data: rg[l].data, shape: [points, views, d] }, { metric: r.metric, pairing, threads: r.threads });
      out.push({ lossF: diff.meanF, lossG: diff.meanG, meanDiff: diff.meanDiff, stdDiff: diff.stdDiff, count: diff.count });
    }
    embedded += points * views;
    return out;
  };

  /** Folds a chunk's statistics into the points' running totals (Chan et al.); `views` counts its augmented views. */
  const accumulate = (rows: ArrayLike<number>, chunk: ChunkStats[], views: number) => {
    for (let l = 0; l < readouts; l++) {
      const stats = chunk[l];
      const { lossF, lossG, m, m2, count, se } = totals[l];
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
        se[i] = total > 1 ? Math.sqrt(merged.m2 / (total - 1) / total) : NaN;
      }
    }
    for (let k = 0; k < rows.length; k++) viewsUsed[rows[k]] += views;
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

  return { scores: totals.map(({ lossF, lossG, m, se, count }) => ({ lossF, lossG, m, se, count })), views: viewsUsed };
}
