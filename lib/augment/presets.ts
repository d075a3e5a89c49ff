/**
 * Named augmentation pipelines. None normalizes: add one with {@link withNormalize} when the
 * encoder expects normalized input (its statistics depend on the data set, not the method).
 */
import { outOfRange, invalidType } from '../errors';
import { CropGroupSpec, PipelineSpec, ViewTransformSpec, validatePipeline } from './spec';

/**
 * SimCLR's view recipe (Chen et al. 2020, appendix A): random resized crop, flip 0.5, ColorJitter
 * (brightness, contrast, saturation, hue) at p = 0.8, then grayscale with probability `grayscale`.
 */
function simclrStyleView(jitter: [number, number, number, number], options: { size?: number; scale?: [number, number]; grayscale?: number } = {}): ViewTransformSpec {
  const view: ViewTransformSpec = {
    crop: { scale: options.scale ?? [0.08, 1], ratio: [3 / 4, 4 / 3] },
    flip: 0.5,
    colorJitter: { p: 0.8, brightness: jitter[0], contrast: jitter[1], saturation: jitter[2], hue: jitter[3] },
  };
  if (options.size !== undefined) view.size = options.size;
  if (options.grayscale !== undefined) view.grayscale = options.grayscale;
  return view;
}

/**
 * SimCLR on CIFAR-10 (Chen et al., "A Simple Framework for Contrastive Learning of Visual
 * Representations", ICML 2020, appendix B.9): 32 x 32 random resized crop (scale 0.08-1, ratio
 * 3/4-4/3), flip 0.5, colour distortion of strength 0.5 (ColorJitter 0.4/0.4/0.4/0.1 at p = 0.8,
 * grayscale 0.2), no blur.
 */
const simclrCifar: PipelineSpec = { name: 'simclr-cifar', views: [simclrStyleView([0.4, 0.4, 0.4, 0.1], { size: 32, grayscale: 0.2 })] };

/**
 * The SSLMem authors' scoring augmentations (Wang et al., ICLR 2024, as described in our issue 3:
 * crop, flip 0.5, ColorJitter 0.8/0.8/0.8/0.2 at p = 0.8, grayscale 0.2; that is SimCLR's colour
 * distortion of strength 1). The authors' code was not available to check; the crop uses
 * torchvision's defaults (scale 0.08-1, ratio 3/4-4/3) at the input size.
 */
const sslmemScoring: PipelineSpec = { name: 'sslmem-scoring', views: [simclrStyleView([0.8, 0.8, 0.8, 0.2], { grayscale: 0.2 })] };

const byolCommon = simclrStyleView([0.4, 0.4, 0.2, 0.1], { grayscale: 0.2 });

/**
 * BYOL's asymmetric pair (Grill et al., "Bootstrap Your Own Latent", NeurIPS 2020, table 6):
 * crop 0.08-1, flip 0.5, ColorJitter 0.4/0.4/0.2/0.1 at p = 0.8, grayscale 0.2; view 1 always
 * blurred and never solarized, view 2 blurred with p = 0.1 and solarized with p = 0.2. BYOL's
 * 23 x 23 kernel is ~10% of its 224-pixel side; at the 28-32 pixel sides sslmem targets that is a
 * 3 x 3 kernel, with BYOL's sigma range [0.1, 2].
 */
const byol: PipelineSpec = {
  name: 'byol',
  views: [
    { ...byolCommon, blur: { p: 1.0, kernelSize: 3, sigma: [0.1, 2.0] }, solarize: { p: 0, threshold: 0.5 } },
    { ...byolCommon, blur: { p: 0.1, kernelSize: 3, sigma: [0.1, 2.0] }, solarize: { p: 0.2, threshold: 0.5 } },
  ],
};

/**
 * 28 x 28 single-channel data (MNIST, Fashion-MNIST): crop scale 0.2-1 (MoCo v2's lower bound,
 * Chen et al. 2020, "Improved Baselines with Momentum Contrastive Learning": at 28 pixels, 8% of
 * the area is a 8 x 8 patch that rarely still shows the garment), flip 0.5, brightness and
 * contrast jitter 0.4 at p = 0.8 (saturation and hue are no-ops on one channel in torchvision).
 */
const grayscale28: PipelineSpec = { name: 'grayscale-28', views: [simclrStyleView([0.4, 0.4, 0, 0], { size: 28, scale: [0.2, 1] })] };

/** The named pipelines, by name. */
export const presets: Readonly<Record<PresetName, PipelineSpec>> = Object.freeze({
  'simclr-cifar': simclrCifar,
  'sslmem-scoring': sslmemScoring,
  byol,
  'grayscale-28': grayscale28,
});

/** Names of the built-in pipelines. */
export type PresetName = 'simclr-cifar' | 'sslmem-scoring' | 'byol' | 'grayscale-28';

/** Names accepted by {@link resolvePipeline}. */
export const presetNames = Object.keys(presets) as PresetName[];

/**
 * DINO's multi-crop (Caron et al., "Emerging Properties in Self-Supervised Vision Transformers",
 * ICCV 2021; DataAugmentationDINO and the defaults of main_dino.py in facebookresearch/dino):
 * 2 global crops (scale 0.4-1) and 8 local crops (scale 0.05-0.4), each with flip 0.5,
 * ColorJitter 0.4/0.4/0.2/0.1 at p = 0.8 and grayscale 0.2; global crop 1 always blurred, global
 * crop 2 blurred with p = 0.1 and solarized with p = 0.2, local crops blurred with p = 0.5.
 *
 * Scaled for 32-pixel images (CIFAR): DINO's 224 / 96 sides become 32 / 16 (the local side keeps
 * roughly DINO's 96 / 224 = 0.43 of the global side, rounded to half of it); the scale ranges are
 * area fractions and stay. DINO blurs with PIL (radius U[0.1, 2]) at 224 pixels; as for `byol`
 * we use a 3 x 3 kernel with sigma U[0.1, 2] at both sizes. DINO solarizes uint8 pixels at 128, our
 * float pixels at 0.5 (the same pixels for uint8 input). DINO resizes with PIL's bicubic filter;
 * sslmem has torchvision's bilinear tensor resize only (antialias off, its 0.14 default).
 *
 * `dino-28` is the same layout for 28-pixel single-channel images (Fashion-MNIST): sides 28 / 12
 * (12 = 0.43 x 28, divisible by ViT patches of 2, 3, 4 and 6), brightness and contrast jitter only
 * (saturation, hue and grayscale are no-ops on one channel, as in `grayscale-28`).
 */
const dinoView = (size: number, scale: [number, number], blur: number, colour: boolean): ViewTransformSpec => ({
  ...(colour ? simclrStyleView([0.4, 0.4, 0.2, 0.1], { size, scale, grayscale: 0.2 }) : simclrStyleView([0.4, 0.4, 0, 0], { size, scale })),
  blur: { p: blur, kernelSize: 3, sigma: [0.1, 2.0] },
});
function dinoLayout(global: number, local: number, colour: boolean): CropGroupSpec[] {
  return [
    {
      name: 'global',
      pipeline: {
        name: 'dino-global',
        views: [dinoView(global, [0.4, 1], 1.0, colour), { ...dinoView(global, [0.4, 1], 0.1, colour), solarize: { p: 0.2, threshold: 0.5 } }],
      },
      count: 2,
    },
    { name: 'local', pipeline: { name: 'dino-local', views: [dinoView(local, [0.05, 0.4], 0.5, colour)] }, count: 8 },
  ];
}

/** Names of the built-in multi-crop layouts. */
export type MultiCropPresetName = 'dino-32' | 'dino-28';

/** The named multi-crop layouts (groups for {@link augmentMultiCrop}), by name. */
export const multiCropPresets: Readonly<Record<MultiCropPresetName, readonly CropGroupSpec[]>> = Object.freeze({
  'dino-32': dinoLayout(32, 16, true),
  'dino-28': dinoLayout(28, 12, false),
});

/** Names accepted as `groups` by augmentMultiCrop. */
export const multiCropPresetNames = Object.keys(multiCropPresets) as MultiCropPresetName[];

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A multi-crop preset by name, copied (so callers may edit it). */
export function multiCropPreset(name: MultiCropPresetName): CropGroupSpec[] {
  return clone(multiCropPresets[name] as CropGroupSpec[]);
}

/** A preset (by name, copied) or a user spec, validated and with every default filled. */
export function resolvePipeline(specOrName: PipelineSpec | string, name = 'options.pipeline'): PipelineSpec {
  if (typeof specOrName === 'string') {
    if (!(presetNames as string[]).includes(specOrName)) {
      throw outOfRange(name, `a pipeline spec or one of ${presetNames.map((n) => JSON.stringify(n)).join(', ')}`, specOrName);
    }
    return validatePipeline(name, clone(presets[specOrName as PresetName]));
  }
  return validatePipeline(name, specOrName);
}

/**
 * The authors' "clean vs augmented" scoring mode: view 0 is the clean image (resized to the
 * pipeline's output size and normalized as its first view, nothing else), views 1.. follow the
 * pipeline's views in order (view v uses views[min(v - 1, last)]).
 */
export function withCleanAnchor(pipeline: PipelineSpec | string): PipelineSpec {
  const p = resolvePipeline(pipeline, 'pipeline');
  const first = p.views[0];
  const clean: ViewTransformSpec = {};
  if (first.size !== undefined) clean.size = first.size;
  if (first.normalize !== undefined) clean.normalize = clone(first.normalize);
  return { name: `${p.name ?? 'custom'}+clean-anchor`, views: [clean, ...p.views] };
}

/** The pipeline with `normalize: {mean, std}` on every view (one value per channel). */
export function withNormalize(pipeline: PipelineSpec | string, mean: number[], std: number[]): PipelineSpec {
  if (!Array.isArray(mean)) throw invalidType('mean', 'an array of numbers', mean);
  if (!Array.isArray(std)) throw invalidType('std', 'an array of numbers', std);
  const p = resolvePipeline(pipeline, 'pipeline');
  return validatePipeline('pipeline', { ...p, views: p.views.map((v) => ({ ...v, normalize: { mean: [...mean], std: [...std] } })) });
}
