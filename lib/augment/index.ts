/**
 * Batched, deterministic SSL augmentations with torchvision 0.14's semantics (tensor path, float
 * images in [0, 1]), computed by the native kernel tier off the main thread.
 *
 * Randomness comes from Philox4x32-10 streams keyed by (seed, epoch, item id, view): the same
 * call gives bit-identical views whatever the thread count, the batch split or the order.
 *
 * Concurrency: each call is one job on a libuv worker (several calls may run at once, up to
 * libuv's pool size); `threads` sets the threads inside one job (0 = all hardware threads).
 */
import { withCancel } from '../abort';
import { kernels } from '../binding';
import { invalidType, outOfRange, withCallSite } from '../errors';
import { Float32Tensor, Uint8Tensor } from '../tensor';
import { assertInteger, assertThreads, isPlainObject } from '../validate';
import { NativeStreams, StreamOptions, checkImages, checkOut, resolveStreams } from './inputs';
import { resolvePipeline } from './presets';
import { PipelineSpec, ViewParams, outputSize, validatePipeline } from './spec';

export * from './spec';
export { presets, presetNames, resolvePipeline, withCleanAnchor, withNormalize, multiCropPresets, multiCropPresetNames } from './presets';
export type { PresetName, MultiCropPresetName } from './presets';
export { augmentMultiCrop, sampleMultiCropParams, resolveCropGroups } from './multicrop';
export type { MultiCropOptions, SampleMultiCropParamsOptions, ResolvedCropGroup } from './multicrop';

/**
 * The SIMD variant the augmentation kernels use on this CPU ("avx2" or "serial"), chosen once at
 * load; SSLMEM_AUGMENT_BACKEND=serial forces the baseline. Both give bit-identical views.
 */
export function augmentBackend(): string {
  return kernels().augmentBackend();
}

/** Options of {@link augment}. */
export interface AugmentOptions extends StreamOptions {
  /** A spec or a preset name ('simclr-cifar', 'sslmem-scoring', 'byol', 'grayscale-28'). */
  pipeline: PipelineSpec | string;
  /** Views per image, V >= 1. */
  views: number;
  /**
   * Written in place and returned: a Float32Array of exactly N * V * C * H' * W' elements, over an
   * ordinary or shared buffer (not a resizable one). The job holds its memory until it ends, even if
   * the buffer is transferred meanwhile (README "Buffers during a call").
   */
  out?: Float32Array;
  /** Stops the job (AbortError); views already written stay in `out`, the rest are not computed. */
  signal?: AbortSignal;
}

interface Resolved {
  pipeline: PipelineSpec;
  views: number;
  native: NativeStreams & { views: number };
}

function resolveOptions(images: Uint8Tensor, options: AugmentOptions): Resolved {
  if (!isPlainObject(options)) throw invalidType('options', 'an object', options);
  const [n, height, width, channels] = images.shape;
  const pipeline = resolvePipeline(options.pipeline, 'options.pipeline');
  // Re-validate with the input size to check what depends on it (sizes, kernels, normalize).
  validatePipeline('options.pipeline', pipeline, { height, width, channels });
  assertInteger('options.views', options.views, { min: 1, max: 1_000_000 });
  return { pipeline, views: options.views, native: { views: options.views, ...resolveStreams(n, options) } };
}

/**
 * Augments every image `views` times: uint8 NHWC in, float32 [N, V, C, H', W'] out (written into
 * `options.out` when given). View v of image i uses pipeline.views[min(v, last)] with parameters
 * drawn from the stream keyed by (seed, epoch, itemIds[i], v).
 */
export async function augment(images: Uint8Tensor, options: AugmentOptions): Promise<Float32Tensor> {
  checkImages(images);
  const r = resolveOptions(images, options);
  const [n, height, width, channels] = images.shape;
  const [oh, ow] = outputSize(r.pipeline, height, width);
  const shape = [n, r.views, channels, oh, ow];
  const out = checkOut(options.out, n * r.views * channels * oh * ow);
  const data = await withCancel(options.signal, (cancel) => withCallSite(kernels().augment(images, r.pipeline, { ...r.native, cancel }, out)));
  return { data, shape };
}

/** Options of {@link sampleParams}: those of {@link augment} without `out`. */
export type SampleParamsOptions = Omit<AugmentOptions, 'out'>;

/**
 * The parameters {@link augment} draws with the same options, as plain data: result[i][v] is view
 * v of image i. Only the images' shape is read.
 */
export async function sampleParams(images: Uint8Tensor, options: SampleParamsOptions): Promise<ViewParams[][]> {
  checkImages(images);
  const r = resolveOptions(images, options as AugmentOptions);
  const flat = await withCancel(options.signal, (cancel) => withCallSite(kernels().sampleAugmentParams(images, r.pipeline, { ...r.native, cancel })));
  const n = images.shape[0];
  const out: ViewParams[][] = [];
  for (let i = 0; i < n; i++) out.push(flat.slice(i * r.views, (i + 1) * r.views));
  return out;
}

/** Options of {@link applyParams}. */
export interface ApplyParamsOptions {
  /** Threads inside this job; 0 (default) = all hardware threads. */
  threads?: number;
  /** Written in place and returned (exact length N * V * C * H' * W'; as {@link AugmentOptions.out}). */
  out?: Float32Array;
  /** Stops the job (AbortError). */
  signal?: AbortSignal;
}

/**
 * Applies explicit parameters: params[i][v] to image i (every image with the same number of views
 * V and every view with the same output size). Replaying {@link sampleParams}' result gives the
 * views of {@link augment} bit for bit.
 */
export async function applyParams(images: Uint8Tensor, params: ViewParams[][], options: ApplyParamsOptions = {}): Promise<Float32Tensor> {
  checkImages(images);
  if (!isPlainObject(options as unknown)) throw invalidType('options', 'an object', options);
  const [n, , , channels] = images.shape;
  if (!Array.isArray(params)) throw invalidType('params', 'an array (one array of view parameters per image)', params);
  if (params.length !== n) throw outOfRange('params', `${n} entries (one per image)`, `${params.length} entries`, true);
  if (n === 0) return { data: checkOut(options.out, 0) ?? new Float32Array(0), shape: [0, 0, channels, 0, 0] };
  params.forEach((p, i) => {
    if (!Array.isArray(p)) throw invalidType(`params[${i}]`, 'an array of view parameters', p);
  });
  const views = params[0].length;
  if (views < 1) throw outOfRange('params[0]', 'at least one view', 'an empty array', true);
  params.forEach((p, i) => {
    if (p.length !== views) throw outOfRange(`params[${i}]`, `${views} views (as params[0])`, `${p.length} views`, true);
  });
  const threads = options.threads ?? 0;
  assertThreads('options.threads', threads);
  const first = params[0][0];
  if (!isPlainObject(first) || !Array.isArray(first.size)) throw invalidType('params[0][0].size', '[height, width]', first?.size);
  const [oh, ow] = first.size;
  assertInteger('params[0][0].size[0]', oh, { min: 1, max: 16384 });
  assertInteger('params[0][0].size[1]', ow, { min: 1, max: 16384 });
  const out = checkOut(options.out, n * views * channels * oh * ow);
  const data = await withCancel(options.signal, (cancel) => withCallSite(kernels().applyAugmentParams(images, params.flat(), { views, threads, cancel }, out)));
  return { data, shape: [n, views, channels, oh, ow] };
}
