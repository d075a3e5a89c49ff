/**
 * Multi-crop augmentation (Caron et al. 2020, SwAV; Caron et al. 2021, DINO): views of different
 * output sizes from one call, as groups of views ("2 global 32 x 32 + 8 local 16 x 16"). One native
 * job computes every group; the result is one float32 tensor [N, count_g, C, H_g, W_g] per group.
 *
 * Views are numbered across the layout: view j of group g has the global index first_g + j
 * (first_g = the counts of the groups before g) and draws from the streams keyed by (seed, epoch,
 * item id, first_g + j), exactly as {@link augment} keys view first_g + j. So the layout is as
 * deterministic as augment (threads, batch splits, SIMD variant), and group g equals views
 * first_g.. of an augment call whose pipeline lists the group's view specs from index first_g.
 */
import { withCancel } from '../abort';
import { kernels } from '../binding';
import { invalidType, outOfRange, withCallSite } from '../errors';
import { Float32Tensor, Uint8Tensor } from '../tensor';
import { assertInteger, isPlainObject } from '../validate';
import { StreamOptions, checkImages, resolveStreams } from './inputs';
import type { NativeCropGroup } from './native';
import { MultiCropPresetName, multiCropPreset, multiCropPresetNames, resolvePipeline } from './presets';
import { CropGroupSpec, PipelineSpec, ViewParams, outputSize, validatePipeline, validateSize } from './spec';

/** Options of {@link augmentMultiCrop}. */
export interface MultiCropOptions extends StreamOptions {
  /** The groups, in output order, or a preset name ('dino-32'). */
  groups: CropGroupSpec[] | MultiCropPresetName;
  /** Stops the job (AbortError). */
  signal?: AbortSignal;
}

/** Options of {@link sampleMultiCropParams}: those of {@link augmentMultiCrop}. */
export type SampleMultiCropParamsOptions = MultiCropOptions;

/** A group with its pipeline resolved (preset expanded, group size applied, defaults filled). */
export interface ResolvedCropGroup {
  name?: string;
  pipeline: PipelineSpec;
  count: number;
}

const MAX_VIEWS = 1_000_000;

function resolveGroup(name: string, value: unknown, input?: { height: number; width: number; channels: number }): ResolvedCropGroup {
  if (!isPlainObject(value)) throw invalidType(name, 'a group {pipeline, count, size?, name?}', value);
  for (const key of Object.keys(value)) {
    if (!['name', 'pipeline', 'size', 'count'].includes(key)) {
      throw outOfRange(name, 'only the keys name, pipeline, size, count', `the key ${JSON.stringify(key)}`, true);
    }
  }
  if (value.name !== undefined && typeof value.name !== 'string') throw invalidType(`${name}.name`, 'a string', value.name);
  assertInteger(`${name}.count`, value.count, { min: 1, max: MAX_VIEWS });
  let pipeline = resolvePipeline(value.pipeline as PipelineSpec | string, `${name}.pipeline`);
  const size = validateSize(`${name}.size`, value.size);
  // The group's size is what makes it a group: it replaces whatever sizes its views had.
  if (size !== undefined) pipeline = { ...pipeline, views: pipeline.views.map((v) => ({ ...v, size })) };
  if (input) validatePipeline(`${name}.pipeline`, pipeline, input);
  const group: ResolvedCropGroup = { pipeline, count: value.count };
  if (value.name !== undefined) group.name = value.name;
  return group;
}

/**
 * Validates a multi-crop layout (groups or a preset name) and fills every default. With the
 * input size it also checks what depends on it (one output size per group, blur kernels, normalize).
 */
export function resolveCropGroups(value: unknown, name = 'options.groups', input?: { height: number; width: number; channels: number }): ResolvedCropGroup[] {
  let groups = value;
  if (typeof value === 'string') {
    if (!(multiCropPresetNames as string[]).includes(value)) {
      throw outOfRange(name, `an array of groups or one of ${multiCropPresetNames.map((n) => JSON.stringify(n)).join(', ')}`, value);
    }
    groups = multiCropPreset(value as MultiCropPresetName);
  }
  if (!Array.isArray(groups)) throw invalidType(name, 'an array of groups {pipeline, count, size?, name?} or a preset name', value);
  if (groups.length === 0) throw outOfRange(name, 'at least one group', 'an empty array', true);
  const resolved = groups.map((g, i) => resolveGroup(`${name}[${i}]`, g, input));
  const total = resolved.reduce((sum, g) => sum + g.count, 0);
  if (total > MAX_VIEWS) throw outOfRange(name, `at most ${MAX_VIEWS} views per image in all`, `${total} views`, true);
  return resolved;
}

function resolveOptions(images: Uint8Tensor, options: MultiCropOptions) {
  if (!isPlainObject(options)) throw invalidType('options', 'an object', options);
  const [n, height, width, channels] = images.shape;
  const groups = resolveCropGroups(options.groups, 'options.groups', { height, width, channels });
  const native: NativeCropGroup[] = groups.map((g) => ({ pipeline: g.pipeline, count: g.count }));
  return { groups, native, streams: resolveStreams(n, options) };
}

/**
 * Augments every image with a multi-crop layout: uint8 NHWC in, one float32 tensor
 * [N, count_g, C, H_g, W_g] per group out, in group order. View j of group g of image i uses
 * the group's pipeline.views[min(j, last)] with parameters from the streams keyed by
 * (seed, epoch, itemIds[i], first_g + j).
 *
 * @example
 * const [global, local] = await augmentMultiCrop(images, { groups: 'dino-32', seed: 1, epoch });
 * global.shape; // [N, 2, 3, 32, 32]
 * local.shape;  // [N, 8, 3, 16, 16]
 */
export async function augmentMultiCrop(images: Uint8Tensor, options: MultiCropOptions): Promise<Float32Tensor[]> {
  checkImages(images);
  const r = resolveOptions(images, options);
  const [n, height, width, channels] = images.shape;
  const arrays = await withCancel(options.signal, (cancel) => withCallSite(kernels().augmentMultiCrop(images, r.native, { ...r.streams, cancel })));
  return arrays.map((data, g) => {
    const [oh, ow] = outputSize(r.groups[g].pipeline, height, width);
    return { data, shape: [n, r.groups[g].count, channels, oh, ow] };
  });
}

/**
 * The parameters {@link augmentMultiCrop} draws with the same options, as plain data:
 * result[g][i][j] is view j of group g of image i (replay a group with applyParams).
 */
export async function sampleMultiCropParams(images: Uint8Tensor, options: SampleMultiCropParamsOptions): Promise<ViewParams[][][]> {
  checkImages(images);
  const r = resolveOptions(images, options);
  const n = images.shape[0];
  const flat = await withCancel(options.signal, (cancel) => withCallSite(kernels().sampleMultiCropParams(images, r.native, { ...r.streams, cancel })));
  const out: ViewParams[][][] = [];
  let at = 0;
  for (const g of r.groups) {
    const perImage: ViewParams[][] = [];
    for (let i = 0; i < n; i++, at += g.count) perImage.push(flat.slice(at, at + g.count));
    out.push(perImage);
  }
  return out;
}
