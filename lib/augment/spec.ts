/**
 * Declarative augmentation specs (plain JSON-able objects), their validation and defaults.
 *
 * Semantics are torchvision 0.14's tensor transforms on float images in [0, 1] (uint8 / 255),
 * applied per view in the order of the SimCLR and BYOL pipelines: random resized crop (or a plain
 * resize when `crop` is absent and `size` differs), horizontal flip, colour jitter (its four
 * adjustments in a random order), grayscale, gaussian blur, solarize, normalize.
 */
import { invalidType, outOfRange } from '../errors';
import { assertInteger, assertNumber, assertProbability, assertRangePair, isPlainObject } from '../validate';

/** One view's transform. `{}` is the clean identity view. */
export interface ViewTransformSpec {
  /** Output [H', W'] (a number: square). Default: the input size. */
  size?: number | [number, number];
  /**
   * Random resized crop (torchvision RandomResizedCrop): scale default [0.08, 1], ratio default
   * [3/4, 4/3], bilinear resize with align_corners=False, antialias default false (torchvision
   * 0.14's tensor default).
   */
  crop?: { scale?: [number, number]; ratio?: [number, number]; antialias?: boolean };
  /** Horizontal flip probability (RandomHorizontalFlip). Default 0. */
  flip?: number;
  /**
   * ColorJitter applied with probability p (RandomApply). brightness/contrast/saturation x give
   * factors U[max(0, 1 - x), 1 + x]; hue x in [0, 0.5] gives U[-x, x]; 0 or absent: off.
   */
  colorJitter?: { p: number; brightness?: number; contrast?: number; saturation?: number; hue?: number };
  /** RandomGrayscale probability (ITU-R 601-2 luma; the channel count is kept). Default 0. */
  grayscale?: number;
  /** GaussianBlur applied with probability p: odd kernelSize, sigma ~ U[sigma] (default [0.1, 2]). */
  blur?: { p: number; kernelSize: number; sigma?: [number, number] };
  /** RandomSolarize: x >= threshold becomes 1 - x, with probability p. threshold default 0.5. */
  solarize?: { p: number; threshold?: number };
  /** Normalize: (x - mean[c]) / std[c], one value per channel. */
  normalize?: { mean: number[]; std: number[] };
}

/** A pipeline: view v uses views[min(v, views.length - 1)]. */
export interface PipelineSpec {
  name?: string;
  views: ViewTransformSpec[];
}

/**
 * One group of a multi-crop layout (Caron et al. 2020, SwAV; DINO's 2 global + 8 local crops):
 * `count` views per image, view j of the group using pipeline.views[min(j, last)].
 */
export interface CropGroupSpec {
  /** A label for the reader ('global', 'local'); results come in group order whatever it says. */
  name?: string;
  /** The group's transforms: a spec or a preset name. */
  pipeline: PipelineSpec | string;
  /** Output size of every view of the group (a number: square), replacing the pipeline's sizes. */
  size?: number | [number, number];
  /** Views per image in this group, >= 1. */
  count: number;
}

/** A pipeline with every default filled in, as the native side reads it. */
export type NativePipelineSpec = PipelineSpec;

/** Jitter adjustment ids in {@link ViewParams}' colorJitter.order (torchvision's fn_idx). */
export const JitterOps = { brightness: 0, contrast: 1, saturation: 2, hue: 3 } as const;

/**
 * Everything one view drew (what `sampleParams` returns and `applyParams` replays). null: the
 * operation did not run (for colorJitter's factors: that adjustment is off).
 */
export interface ViewParams {
  crop: { top: number; left: number; height: number; width: number };
  size: [number, number];
  antialias: boolean;
  flip: boolean;
  colorJitter: {
    order: number[];
    brightness: number | null;
    contrast: number | null;
    saturation: number | null;
    hue: number | null;
  } | null;
  grayscale: boolean;
  blur: { kernelSize: number; sigma: number } | null;
  solarize: { threshold: number } | null;
  normalize: { mean: number[]; std: number[] } | null;
}

const viewKeys = new Set(['size', 'crop', 'flip', 'colorJitter', 'grayscale', 'blur', 'solarize', 'normalize']);

function assertKeys(name: string, value: Record<string, unknown>, allowed: Set<string> | string[]): void {
  const set = allowed instanceof Set ? allowed : new Set(allowed);
  for (const key of Object.keys(value)) {
    if (!set.has(key)) throw outOfRange(name, `only the keys ${[...set].join(', ')}`, `the key ${JSON.stringify(key)}`, true);
  }
}

/** A nested options object with only the given keys. */
function section(name: string, value: unknown, keys: string[]): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalidType(name, 'an object', value);
  assertKeys(name, value, keys);
  return value;
}

function optionalFactor(name: string, value: unknown, max?: number): number {
  if (value === undefined) return 0;
  assertNumber(name, value, { min: 0, max });
  return value;
}

export function validateSize(name: string, value: unknown): number | [number, number] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    assertInteger(name, value, { min: 1, max: 16384 });
    return value;
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalidType(name, 'a positive integer or [height, width]', value);
  assertInteger(`${name}[0]`, value[0], { min: 1, max: 16384 });
  assertInteger(`${name}[1]`, value[1], { min: 1, max: 16384 });
  return [value[0], value[1]];
}

/** Validates one view spec and returns a copy with every default filled in. */
export function validateViewSpec(name: string, value: unknown, channels?: number): ViewTransformSpec {
  if (!isPlainObject(value)) throw invalidType(name, 'a view spec object', value);
  assertKeys(name, value, viewKeys);
  const out: ViewTransformSpec = {};
  const size = validateSize(`${name}.size`, value.size);
  if (size !== undefined) out.size = size;
  if (value.crop !== undefined) {
    const crop = section(`${name}.crop`, value.crop, ['scale', 'ratio', 'antialias']);
    const scale = crop.scale ?? [0.08, 1];
    assertRangePair(`${name}.crop.scale`, scale, { min: 0, max: 1 });
    if (scale[0] <= 0) throw outOfRange(`${name}.crop.scale[0]`, 'a number > 0', scale[0]);
    const ratio = crop.ratio ?? [3 / 4, 4 / 3];
    assertRangePair(`${name}.crop.ratio`, ratio, { min: 0 });
    if (ratio[0] <= 0) throw outOfRange(`${name}.crop.ratio[0]`, 'a number > 0', ratio[0]);
    const antialias = crop.antialias ?? false;
    if (typeof antialias !== 'boolean') throw invalidType(`${name}.crop.antialias`, 'a boolean', antialias);
    out.crop = { scale: [scale[0], scale[1]], ratio: [ratio[0], ratio[1]], antialias };
  }
  if (value.flip !== undefined) {
    assertProbability(`${name}.flip`, value.flip);
    out.flip = value.flip;
  }
  if (value.colorJitter !== undefined) {
    const j = section(`${name}.colorJitter`, value.colorJitter, ['p', 'brightness', 'contrast', 'saturation', 'hue']);
    assertProbability(`${name}.colorJitter.p`, j.p);
    out.colorJitter = {
      p: j.p,
      brightness: optionalFactor(`${name}.colorJitter.brightness`, j.brightness),
      contrast: optionalFactor(`${name}.colorJitter.contrast`, j.contrast),
      saturation: optionalFactor(`${name}.colorJitter.saturation`, j.saturation),
      hue: optionalFactor(`${name}.colorJitter.hue`, j.hue, 0.5),
    };
  }
  if (value.grayscale !== undefined) {
    assertProbability(`${name}.grayscale`, value.grayscale);
    out.grayscale = value.grayscale;
  }
  if (value.blur !== undefined) {
    const b = section(`${name}.blur`, value.blur, ['p', 'kernelSize', 'sigma']);
    assertProbability(`${name}.blur.p`, b.p);
    assertInteger(`${name}.blur.kernelSize`, b.kernelSize, { min: 1 });
    if (b.kernelSize % 2 === 0) throw outOfRange(`${name}.blur.kernelSize`, 'an odd positive integer', b.kernelSize);
    const sigma = b.sigma ?? [0.1, 2.0];
    assertRangePair(`${name}.blur.sigma`, sigma, { min: 0 });
    if (sigma[0] <= 0) throw outOfRange(`${name}.blur.sigma[0]`, 'a number > 0', sigma[0]);
    out.blur = { p: b.p, kernelSize: b.kernelSize, sigma: [sigma[0], sigma[1]] };
  }
  if (value.solarize !== undefined) {
    const s = section(`${name}.solarize`, value.solarize, ['p', 'threshold']);
    assertProbability(`${name}.solarize.p`, s.p);
    const threshold = s.threshold ?? 0.5;
    assertNumber(`${name}.solarize.threshold`, threshold, { min: 0, max: 1 });
    out.solarize = { p: s.p, threshold };
  }
  if (value.normalize !== undefined) {
    const n = section(`${name}.normalize`, value.normalize, ['mean', 'std']);
    const mean = numberList(`${name}.normalize.mean`, n.mean);
    const std = numberList(`${name}.normalize.std`, n.std);
    if (std.length !== mean.length) throw outOfRange(`${name}.normalize.std`, `${mean.length} values (as many as mean)`, `${std.length} values`, true);
    if (channels !== undefined && mean.length !== channels) {
      throw outOfRange(`${name}.normalize.mean`, `${channels} values (one per channel)`, `${mean.length} values`, true);
    }
    std.forEach((s, i) => {
      if (s === 0) throw outOfRange(`${name}.normalize.std[${i}]`, 'a non-zero number', s);
    });
    out.normalize = { mean, std };
  }
  return out;
}

function numberList(name: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > 3) throw invalidType(name, 'an array of 1 to 3 numbers', value);
  value.forEach((v, i) => assertNumber(`${name}[${i}]`, v));
  return [...(value as number[])];
}

function sideOf(size: ViewTransformSpec['size'], inputH: number, inputW: number): [number, number] {
  if (size === undefined) return [inputH, inputW];
  return typeof size === 'number' ? [size, size] : size;
}

/**
 * Validates a pipeline and fills every default. With the input size and channels it also checks
 * what depends on them: one output size for all views, blur kernels smaller than twice the output
 * side (reflect padding), normalize with one value per channel.
 */
export function validatePipeline(name: string, value: unknown, input?: { height: number; width: number; channels: number }): PipelineSpec {
  if (!isPlainObject(value)) throw invalidType(name, 'a pipeline spec {views: [...]} or a preset name', value);
  assertKeys(name, value, ['name', 'views']);
  if (value.name !== undefined && typeof value.name !== 'string') throw invalidType(`${name}.name`, 'a string', value.name);
  if (!Array.isArray(value.views)) throw invalidType(`${name}.views`, 'an array of view specs', value.views);
  if (value.views.length === 0) throw outOfRange(`${name}.views`, 'at least one view spec', 'an empty array', true);
  const views = value.views.map((v, i) => validateViewSpec(`${name}.views[${i}]`, v, input?.channels));
  if (input) {
    const [h0, w0] = sideOf(views[0].size, input.height, input.width);
    views.forEach((v, i) => {
      const [h, w] = sideOf(v.size, input.height, input.width);
      if (h !== h0 || w !== w0) throw outOfRange(`${name}.views[${i}].size`, `the output size of views[0] (${h0} x ${w0})`, `${h} x ${w}`, true);
      if (v.blur && Math.floor(v.blur.kernelSize / 2) >= Math.min(h, w)) {
        throw outOfRange(`${name}.views[${i}].blur.kernelSize`, `an odd size whose half is smaller than the output side ${Math.min(h, w)} (reflect padding)`, v.blur.kernelSize);
      }
    });
  }
  const out: PipelineSpec = { views };
  if (value.name !== undefined) out.name = value.name as string;
  return out;
}

/** The output [H', W'] of a (validated) pipeline on an H x W input. */
export function outputSize(pipeline: PipelineSpec, height: number, width: number): [number, number] {
  return sideOf(pipeline.views[0].size, height, width);
}
