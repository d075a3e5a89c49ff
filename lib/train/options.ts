/**
 * Options of {@link train} and their validation (defaults from the papers cited on each field).
 */
import type { CropGroupSpec, MultiCropPresetName, PipelineSpec } from '../augment';
import { multiCropPresetNames } from '../augment/presets';
import type { ImageDataset } from '../data/types';
import { DistributedConfig, resolveDistributedConfig } from '../distributed';
import type { Encoder } from '../encoder';
import type { NativeTrainProgress } from './native';
import type { Architecture, ArchitectureSettings } from '../encoder/description';
import { findArchitecture } from '../encoder/architectures';
import { findMethod, validateMethodScalars } from './methods';
import { invalidType, outOfRange } from '../errors';
import { assertTensor, Float32Tensor, Uint8Tensor } from '../tensor';
import {
  assertFunction, assertInteger, assertNumber, assertObject, assertOneOf, assertString, assertThreads, isPlainObject,
} from '../validate';

/**
 * The name of an SSL method registered in the torch tier (native/torch/methods/*.cc, described in
 * docs/methods.md): {@link listMethods} gives what the loaded build has, with citations and every
 * hyper-parameter's default.
 */
export type Method = string;

export const optimizers = ['sgd', 'adam', 'adamw', 'lars'] as const;
export type OptimizerName = (typeof optimizers)[number];

/**
 * A method's options. The heads' sizes are common to every method; the scalar hyper-parameters
 * are the method's own (its registry entry names them, with the paper's defaults: see
 * {@link listMethods} or `sslmem info --methods`), e.g. SimCLR's `temperature` (0.5). An option
 * the method does not have is a RangeError, never silently ignored.
 */
export interface MethodOptions {
  /** Projector layer sizes after the representation (hidden..., output); default: the method's. */
  projectorDims?: number[];
  /** Predictor sizes (methods with a predictor); the last must equal the projector's output. */
  predictorDims?: number[];
  /** Batch norm after each hidden projector layer (default true, as in the papers; false: Linear-ReLU). */
  projectorBatchNorm?: boolean;
  /** The method's scalar hyper-parameters by name. */
  [option: string]: number | number[] | boolean | undefined;
}

/** The keys of {@link MethodOptions} every method has; the others are the method's scalars. */
export const headOptionKeys = ['projectorDims', 'predictorDims', 'projectorBatchNorm'] as const;

/** Splits {@link MethodOptions} into the common head options and the method's scalars. */
export function splitMethodOptions(options: MethodOptions): { heads: Pick<MethodOptions, (typeof headOptionKeys)[number]>; scalars: Record<string, number> } {
  const heads: Pick<MethodOptions, (typeof headOptionKeys)[number]> = {};
  const scalars: Record<string, number> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if ((headOptionKeys as readonly string[]).includes(key)) Object.assign(heads, { [key]: value });
    else scalars[key] = value as number;
  }
  return { heads, scalars };
}

/**
 * The optimizer. What is left out comes from the method's paper when it names one (MAE: AdamW,
 * base lr 1.5e-4, weight decay 0.05, betas (0.9, 0.95); `listMethods()[i].optimizer`), otherwise
 * from the library's defaults below.
 */
export interface OptimizerOptions {
  /** Default 'sgd'. LARS: You et al. 2017, trust coefficient 0.001. */
  name?: OptimizerName;
  /** Peak learning rate; default 0.03 x batchSize / 256 (SimSiam's CIFAR rule, Chen & He 2021). */
  lr?: number;
  /** Default 0.9 (SGD and LARS). */
  momentum?: number;
  /** Default 5e-4 (SimSiam CIFAR); never applied to biases and norm parameters. */
  weightDecay?: number;
  /** Adam and AdamW's (beta1, beta2), default (0.9, 0.999). */
  betas?: [number, number];
}

/**
 * Progress after each training step (epoch and step count from 1; imagesPerSecond of that step;
 * epochLoss on an epoch's last step; knnAccuracy when the monitor ran).
 */
export interface TrainProgress extends NativeTrainProgress {
  epochs: number;
}

export interface TrainOptions {
  /** Training images [N, H, W, C] uint8. */
  images?: Uint8Tensor;
  /**
   * One distinct non-negative id per image (e.g. its index in the full dataset): the key of its
   * place in each epoch's order and of its augmentation streams (default: its position). Give
   * dataset indices when two runs share images, so that those images get the same views and the
   * same relative order in both runs (the paired design of SSLMem's f and g).
   */
  itemIds?: ArrayLike<number>;
  /**
   * Ready-made normalized views [N, V >= 2, C, H, W] instead of `images` + `pipeline`: epoch e
   * uses views (2e mod V) and (2e + 1 mod V) of each image (benchmarks, precomputed augmentations).
   */
  views?: Float32Tensor;
  /** An encoder to continue from (copied), or the backbone to create (seeded by `seed`). */
  encoder: Encoder | { architecture: Architecture; width?: number; settings?: ArchitectureSettings };
  method: Method;
  methodOptions?: MethodOptions;
  /**
   * Augmentation pipeline (a PipelineSpec or a preset name, see lib/augment); two views per image
   * per step, keyed by (seed, epoch, image index, view). Its output size must equal the encoder's
   * input. Its normalization (none in the presets: pixels in [0, 1]) is recorded in the trained
   * encoder's description so that `embed` feeds clean images the same way.
   */
  pipeline?: PipelineSpec | string;
  /**
   * Multi-crop augmentation instead of `pipeline`, for methods that take local views (DINO; see
   * `listMethods()`, `localViews`): groups of views of different sizes, or a preset name
   * ('dino-32', 'dino-28'). Group 0 holds the method's views per step (DINO: 2 global views) at
   * the encoder's input size; later groups are smaller local views, which the encoder must take
   * (ResNets and ViTs do; the CNNs that flatten a fixed-size map do not). Views are keyed as
   * `augmentMultiCrop` keys them; group 0's normalization is recorded in the description.
   */
  multiCrop?: CropGroupSpec[] | MultiCropPresetName;
  epochs: number;
  batchSize: number;
  optimizer?: OptimizerOptions;
  /** Linear warm-up epochs before the cosine decay, default 0. */
  warmupEpochs?: number;
  seed: number;
  /** libtorch intra-op threads for this job (and the process), 0 = all cores (default). */
  threads?: number;
  /** Default 'cpu'; 'cuda' needs a CUDA libtorch and a GPU (ERR_SSLMEM_CUDA_UNAVAILABLE otherwise). */
  device?: 'cpu' | 'cuda';
  /**
   * Write a resumable checkpoint (also a loadable encoder file) every `every` epochs and at the
   * end; `{epoch}` in the path is replaced by the epoch count (keeps one file per checkpoint).
   */
  checkpoint?: { path: string; every: number };
  /** Continue the run saved in this checkpoint (same method, batch size and data). */
  resume?: string;
  /** Weighted kNN accuracy (k = 200, cosine, T = 0.1) of the representation every `every` epochs. */
  monitor?: { train: ImageDataset; test: ImageDataset; every: number };
  /** Recorded in the description (datasetFingerprint of the training data). */
  dataFingerprint?: string;
  /**
   * Train data-parallel in a c10d process group (e.g. `distributedConfigFromEnv()` under a
   * torchrun-style launch): every rank calls `train` with the same data and options, takes its
   * batchSize / worldSize slice of each global batch, and gradients are averaged, so all ranks end
   * with the same encoder. Losses and batch norm are per rank (PyTorch DDP without SyncBatchNorm);
   * only rank 0 writes checkpoints. One rank's abort stops all.
   */
  distributed?: DistributedConfig;
  onProgress?: (progress: TrainProgress) => void;
  signal?: AbortSignal;
}

/** Validates {@link TrainOptions}; throws TypeError/RangeError naming the field. */
export function validateTrainOptions(options: TrainOptions): void {
  assertObject('options', options);
  const method = findMethod(options.method, 'options.method');
  assertInteger('options.epochs', options.epochs, { min: 1, max: 1_000_000 });
  assertInteger('options.batchSize', options.batchSize, { min: 1 });
  if (options.batchSize < method.minBatch) {
    throw outOfRange('options.batchSize', `at least ${method.minBatch} for ${method.name} (its loss needs other images in the batch)`, options.batchSize);
  }
  assertInteger('options.seed', options.seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (options.views !== undefined) {
    assertTensor('options.views', options.views, Float32Array, 5);
    if (options.views.shape[1] < 2) throw outOfRange('options.views.shape[1]', 'at least 2 views per image', options.views.shape[1]);
  } else {
    assertTensor('options.images', options.images, Uint8Array, 4);
    if (options.pipeline !== undefined && options.multiCrop !== undefined) {
      throw outOfRange('options.multiCrop', 'no multiCrop when options.pipeline is given (one or the other)', 'both', true);
    }
    if (options.multiCrop !== undefined && !method.localViews) {
      throw outOfRange('options.multiCrop', `no multi-crop (${method.name} takes no local views; give options.pipeline)`, 'a multi-crop layout', true);
    }
    if (options.pipeline === undefined && options.multiCrop === undefined) {
      throw invalidType('options.pipeline', `a PipelineSpec or preset name${method.localViews ? ' (or options.multiCrop)' : ''}`, undefined);
    }
  }
  const n = options.views ? options.views.shape[0] : options.images!.shape[0];
  if (options.itemIds !== undefined) validateItemIds('options.itemIds', options.itemIds, n);
  if (options.batchSize > n) throw outOfRange('options.batchSize', `at most the number of images (${n})`, options.batchSize);
  const encoder = options.encoder as unknown;
  if (!isPlainObject(encoder) && !(encoder !== null && typeof encoder === 'object' && 'handle' in encoder)) {
    throw invalidType('options.encoder', 'an Encoder or {architecture, width?}', encoder);
  }
  if (isPlainObject(encoder) && !('handle' in encoder)) {
    findArchitecture(encoder.architecture, 'options.encoder.architecture');
    if (encoder.width !== undefined) assertNumber('options.encoder.width', encoder.width, { min: Number.MIN_VALUE, max: 16 });
  }
  const mo = options.methodOptions ?? {};
  assertObject('options.methodOptions', mo);
  const { heads, scalars } = splitMethodOptions(mo);
  validateMethodScalars(method, scalars, 'options.methodOptions');
  if (!method.hasProjector && (heads.projectorDims !== undefined || heads.predictorDims !== undefined)) {
    throw outOfRange('options.methodOptions.projectorDims', `no head sizes (${method.name} has no projector)`, 'sizes', true);
  }
  if (mo.projectorBatchNorm !== undefined && typeof mo.projectorBatchNorm !== 'boolean') {
    throw invalidType('options.methodOptions.projectorBatchNorm', 'a boolean', mo.projectorBatchNorm);
  }
  for (const key of ['projectorDims', 'predictorDims'] as const) {
    const dims = mo[key];
    if (dims === undefined) continue;
    if (!Array.isArray(dims) || dims.length === 0) throw invalidType(`options.methodOptions.${key}`, 'a non-empty array of positive integers', dims);
    dims.forEach((d, i) => assertInteger(`options.methodOptions.${key}[${i}]`, d, { min: 1 }));
  }
  const opt = options.optimizer ?? {};
  assertObject('options.optimizer', opt);
  if (opt.name !== undefined) assertOneOf('options.optimizer.name', opt.name, optimizers);
  if (opt.lr !== undefined) assertNumber('options.optimizer.lr', opt.lr, { min: 0 });
  if (opt.momentum !== undefined) assertNumber('options.optimizer.momentum', opt.momentum, { min: 0, max: 1 });
  if (opt.weightDecay !== undefined) assertNumber('options.optimizer.weightDecay', opt.weightDecay, { min: 0 });
  if (opt.betas !== undefined) {
    if (!Array.isArray(opt.betas) || opt.betas.length !== 2) throw invalidType('options.optimizer.betas', 'an array [beta1, beta2]', opt.betas);
    opt.betas.forEach((b, i) => assertNumber(`options.optimizer.betas[${i}]`, b, { min: 0, max: 1 }));
  }
  if (options.warmupEpochs !== undefined) assertNumber('options.warmupEpochs', options.warmupEpochs, { min: 0, max: options.epochs });
  if (options.threads !== undefined) assertThreads('options.threads', options.threads);
  if (options.device !== undefined) assertOneOf('options.device', options.device, ['cpu', 'cuda'] as const);
  if (options.checkpoint !== undefined) {
    assertObject('options.checkpoint', options.checkpoint);
    assertString('options.checkpoint.path', options.checkpoint.path, { nonEmpty: true });
    assertInteger('options.checkpoint.every', options.checkpoint.every, { min: 1 });
  }
  if (options.resume !== undefined) assertString('options.resume', options.resume, { nonEmpty: true });
  if (options.monitor !== undefined) {
    assertObject('options.monitor', options.monitor);
    assertInteger('options.monitor.every', options.monitor.every, { min: 1 });
    for (const key of ['train', 'test'] as const) {
      const set: ImageDataset = options.monitor[key];
      assertObject(`options.monitor.${key}`, set);
      assertTensor(`options.monitor.${key}.images`, set.images, Uint8Array, 4);
      if (!(set.labels instanceof Int32Array)) throw invalidType(`options.monitor.${key}.labels`, 'an Int32Array', set.labels);
    }
  }
  if (options.dataFingerprint !== undefined) assertString('options.dataFingerprint', options.dataFingerprint);
  if (options.distributed !== undefined) {
    const { worldSize } = resolveDistributedConfig(options.distributed, 'options.distributed');
    if (options.batchSize % worldSize !== 0) {
      throw outOfRange('options.batchSize', `a multiple of options.distributed.worldSize (${worldSize})`, options.batchSize);
    }
  }
  if (options.onProgress !== undefined) assertFunction('options.onProgress', options.onProgress);
}

/** Checks item ids: one per image, distinct integers in [0, 2^31). */
function validateItemIds(name: string, ids: ArrayLike<number>, n: number): void {
  if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') throw invalidType(name, 'an array of integers', ids);
  if (ids.length !== n) throw outOfRange(`${name}.length`, `one id per image (${n})`, ids.length);
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    assertInteger(`${name}[${i}]`, ids[i], { min: 0, max: 2 ** 31 - 1 });
    if (seen.has(ids[i])) throw outOfRange(`${name}[${i}]`, 'distinct ids', ids[i]);
    seen.add(ids[i]);
  }
}

/**
 * A training augmentation given as one value (a CLI flag, an experiment's `pipeline`): a
 * multi-crop preset name or an array of groups becomes `multiCrop`, anything else `pipeline`.
 */
export function augmentationFor(value: PipelineSpec | CropGroupSpec[] | string): { pipeline: PipelineSpec | string } | { multiCrop: CropGroupSpec[] | MultiCropPresetName } {
  if (Array.isArray(value)) return { multiCrop: value };
  if (typeof value === 'string' && (multiCropPresetNames as string[]).includes(value)) return { multiCrop: value as MultiCropPresetName };
  return { pipeline: value };
}
