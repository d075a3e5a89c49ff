/**
 * UnitMem over a set of points with one encoder: V augmented views per point (keyed by seed, item
 * id and view, as scoring's, so results do not depend on batching or sharding), every chosen
 * layer's units read from one forward pass per point (a convolutional output's unit is a channel,
 * its spatial mean; any other output's unit is each value), folded into one streaming state per
 * layer (lib/unitmem/state.ts).
 */
import { augment, PipelineSpec, resolvePipeline } from '../augment';
import { gatherImages } from '../data/subset';
import { abortError, outOfRange } from '../errors';
import { assertTensor, Float32Tensor, Uint8Tensor } from '../tensor';
import { readsLayer, resolvePassOptions } from '../score/score';
import { assertAbortSignal, assertFunction, assertInteger, assertObject } from '../validate';
import { UnitMemAccumulator } from './state';

/** What UnitMem needs of an encoder (the torch tier's `Encoder` satisfies it). */
export interface UnitMemEncoder {
  readonly description: { inputShape: [number, number, number] | number[]; normalize?: { mean: number[]; std: number[] } };
  readonly layers: readonly string[];
  /** Whether a name not in `layers` can be read too (a TorchScript import's dotted submodule path). */
  hasLayer?(name: string): boolean;
  embedViewsLayers(views: Float32Tensor, layers: readonly string[], options?: { batchSize?: number; channelMeans?: boolean; signal?: AbortSignal }): Promise<Float32Tensor[]>;
}

/** Default augmented views per point (the follow-up paper averages over augmentations of each point). */
export const DEFAULT_UNITMEM_VIEWS = 16;

export interface UnitMemOptions {
  encoder: UnitMemEncoder;
  /** Points, uint8 [N, H, W, C]. */
  images: Uint8Tensor;
  /** Dataset ids of the points (keys of their view streams and the ids the table reports), default 0..N-1. */
  itemIds?: ArrayLike<number>;
  /** Layers to read (the encoder's `layers`), or 'all'. */
  layers: readonly string[] | 'all';
  /** Augmented views per point, default {@link DEFAULT_UNITMEM_VIEWS}. */
  views?: number;
  /** Augmentation: a spec or a preset name (a preset gets the encoder's input size and normalization). Default 'sslmem-scoring'. */
  pipeline?: PipelineSpec | string;
  /** Seed of the view streams, default 0. */
  seed?: number;
  /** Points per batch, default 64 (does not change the result). */
  batchSize?: number;
  /** Threads inside augmentation and the kernel, 0 = all (default; does not change the result). */
  threads?: number;
  /** States to continue (one per layer, e.g. from an earlier call); default fresh ones. */
  states?: UnitMemAccumulator[];
  onProgress?: (progress: { done: number; total: number }) => void;
  signal?: AbortSignal;
}

export interface UnitMemRun {
  layers: string[];
  /** One state per layer, same order. */
  states: UnitMemAccumulator[];
  views: number;
  seed: number;
  pipeline: PipelineSpec;
}

/** The pipeline as applied: a preset adapted to the encoder's input size and normalization, a spec as given. */
function adaptPipeline(pipeline: PipelineSpec | string | undefined, encoder: UnitMemEncoder): PipelineSpec {
  const resolved = resolvePipeline(pipeline ?? 'sslmem-scoring');
  if (pipeline !== undefined && typeof pipeline !== 'string') return resolved;
  const [, h, w] = encoder.description.inputShape;
  const normalize = encoder.description.normalize;
  return {
    ...resolved,
    views: resolved.views.map((view) => {
      const adapted = { ...view, size: [h, w] as [number, number] };
      if (normalize) adapted.normalize = { mean: [...normalize.mean], std: [...normalize.std] };
      else delete adapted.normalize;
      return adapted;
    }),
  };
}

/**
 * Folds every point's views into per-layer UnitMem states. Finish each state (`states[l].finish()`)
 * for the per-unit table, or write them to a shard part and merge later.
 *
 * @throws TypeError/RangeError for bad options (a layer the encoder does not have names the entry); an AbortError when `signal` aborts.
 */
export async function unitMem(options: UnitMemOptions): Promise<UnitMemRun> {
  assertObject('options', options);
  const { encoder, images, signal, onProgress } = options;
  if (!encoder || !Array.isArray(encoder.layers) || typeof encoder.embedViewsLayers !== 'function') throw outOfRange('options.encoder', 'an Encoder with layer read-outs', typeof encoder, true);
  assertTensor('options.images', images, Uint8Array, 4);
  const n = images.shape[0];
  const layers = options.layers === 'all' ? [...encoder.layers] : options.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw outOfRange('options.layers', "a non-empty array of layer names or 'all'", options.layers);
  layers.forEach((layer, i) => {
    if (typeof layer !== 'string' || !readsLayer(encoder, layer)) throw outOfRange(`options.layers[${i}]`, `a layer of the encoder (${encoder.layers.join(', ')})`, JSON.stringify(layer), true);
  });
  const views = options.views ?? DEFAULT_UNITMEM_VIEWS;
  assertInteger('options.views', views, { min: 1, max: 4096 });
  const { seed, batchSize, threads, itemIds } = resolvePassOptions(options, n);
  if (options.onProgress !== undefined) assertFunction('options.onProgress', options.onProgress);
  if (signal !== undefined) assertAbortSignal('options.signal', signal);
  if (options.states !== undefined && (!Array.isArray(options.states) || options.states.length !== layers.length)) throw outOfRange('options.states', `${layers.length} states (one per layer)`, options.states, true);
  const pipeline = adaptPipeline(options.pipeline, encoder);
  const [c, h, w] = encoder.description.inputShape;

  let states = options.states;
  for (let start = 0; start < n; start += batchSize) {
    if (signal?.aborted) throw abortError(signal.reason);
    const rows = Array.from({ length: Math.min(batchSize, n - start) }, (_, k) => start + k);
    const ids = itemIds.subarray(start, start + rows.length);
    const rendered = await augment(rows.length === n ? images : gatherImages(images, rows), { pipeline, views, seed, epoch: 0, itemIds: ids, threads, signal });
    // One forward pass per point (its V views), as scoring does: a point's activations then do not
    // depend on which other points share its batch (libtorch's matrix products round differently
    // for another batch size), so shards split anywhere merge into exactly the unsharded result.
    const outputs = await encoder.embedViewsLayers({ data: rendered.data, shape: [rows.length * views, c, h, w] }, layers, { batchSize: views, channelMeans: true, signal });
    states ??= outputs.map((o) => UnitMemAccumulator.create(o.shape[1]));
    for (let l = 0; l < layers.length; l++) {
      const units = outputs[l].shape[1];
      if (units !== states[l].units) throw outOfRange(`options.states[${l}]`, `a state of ${units} units (layer ${layers[l]})`, `${states[l].units} units`, true);
      await states[l].add({ data: outputs[l].data, shape: [rows.length, views, units] }, ids, { threads, signal });
    }
    onProgress?.({ done: start + rows.length, total: n });
  }
  return { layers: [...layers], states: states ?? [], views, seed, pipeline };
}
