/**
 * The typed contract of the torch tier's training functions (native/addon/torch/train_binding.cc
 * and catalog_binding.cc). {@link NativeTrainOptions}' configuration keys are the fields of the C++
 * `TrainConfig` (native/torch/train_loop.h) spelled in camelCase, and nothing is renamed between
 * here and there: test/train/native-contract.test.ts reads both declarations and holds them equal.
 */
import type { Tensor } from '../tensor';
import type { EncoderHandle } from '../encoder/native';
import type { PipelineSpec } from '../augment/spec';
import type { NativeCropGroup } from '../augment/native';

/** A labelled image set the native monitor embeds (kNN accuracy during training). */
export interface NativeMonitorSet {
  images: Tensor<Uint8Array>;
  labels: Int32Array;
}

/** What `train` reads: the TrainConfig fields, then the inputs that are not configuration. */
export interface NativeTrainOptions {
  method: string;
  methodOptions: Record<string, number>;
  projectorDims?: number[];
  projectorBatchNorm?: boolean;
  predictorDims?: number[];
  epochs: number;
  batchSize: number;
  itemIds?: Int32Array;
  optimizer: string;
  betas?: Float64Array;
  lr: number;
  momentum: number;
  weightDecay: number;
  warmupEpochs: number;
  seed: number;
  threads: number;
  device: string;
  checkpointPath?: string;
  checkpointEvery?: number;
  resume?: string;
  monitorEvery?: number;
  monitorTrain?: NativeMonitorSet;
  monitorTest?: NativeMonitorSet;
  monitorClasses?: number;
  normalizeMean: Float32Array;
  normalizeStd: Float32Array;
  description: string;
  // Inputs (not TrainConfig fields).
  encoder: EncoderHandle;
  views?: Tensor<Float32Array>;
  images?: Tensor<Uint8Array>;
  pipeline?: PipelineSpec;
  /** Multi-crop instead of `pipeline`: group 0 the method's views, then local views. */
  multiCrop?: NativeCropGroup[];
  /** A resolved DistributedConfig (lib/distributed.ts; not imported: it loads the binding). */
  distributed?: object;
  cancel: Int32Array;
}

/**
 * The keys of {@link NativeTrainOptions} that are inputs rather than TrainConfig fields (TrainConfig's
 * `n` and `collective` are derived from the data and from `distributed`).
 */
export const nativeTrainInputKeys = ['encoder', 'views', 'images', 'pipeline', 'multiCrop', 'distributed', 'cancel'] as const;

/** Training progress reported by the native loop after every step. */
export interface NativeTrainProgress {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  lr: number;
  imagesPerSecond: number;
  /** Set on the last step of an epoch. */
  epochLoss?: number;
  knnAccuracy?: number;
}

export interface NativeTrainResult {
  encoder: EncoderHandle;
  history: Array<{ epoch: number; loss: number; imagesPerSecond: number; knnAccuracy?: number }>;
  /** Epochs before this index were restored from the resume checkpoint. */
  firstEpochRun: number;
}

/** A scalar hyper-parameter of a method or loss, with the paper's default and its valid range. */
export interface NativeOption {
  name: string;
  default: number;
  min: number;
  max: number;
  /** Whether `min` itself is excluded. */
  minExclusive: boolean;
  doc: string;
}

/** A registered SSL method (native/torch/methods/*.cc). */
export interface NativeMethod {
  /** As users write it: 'simclr'. */
  name: string;
  /** 'SimCLR'. */
  title: string;
  /** 'Chen et al. 2020'. */
  citation: string;
  /** Default projector sizes after the representation (hidden..., output). */
  projectorDims: number[];
  /** Batch norm after the projector's output layer (SimSiam). */
  projectorOutputBatchNorm: boolean;
  /** Default predictor sizes; empty when the method has no predictor. */
  predictorDims: number[];
  /** The option holding an EMA target network's base momentum; '' when there is no target network. */
  targetMomentumOption: string;
  /** Smallest batch (per rank) the loss is defined on. */
  minBatch: number;
  options: NativeOption[];
  /** Views of each image per step: 2, or 1 (MAE). */
  views: number;
  /** Whether it trains a projector (MAE trains a decoder of its own instead). */
  hasProjector: boolean;
  /** Whether its steps also take smaller local views (multi-crop: DINO). */
  localViews: boolean;
  /** Its paper's optimizer settings, used for what the caller leaves out; lr is per 256 images. */
  optimizer: { name: string; baseLr: number; weightDecay: number; betas: number[] };
}

/** A registered loss, callable by name through `sslLoss` (tests, oracles). */
export interface NativeLoss {
  name: string;
  /** Names of its [B, D] inputs, in order. */
  inputs: string[];
  options: NativeOption[];
}

export interface TrainNative {
  train(options: NativeTrainOptions, onProgress: (progress: NativeTrainProgress) => void): Promise<NativeTrainResult>;
  methods(): NativeMethod[];
  losses(): NativeLoss[];
  /** Evaluates a registered loss on fixed inputs (for tests and oracles). */
  sslLoss(name: string, inputs: Tensor<Float32Array>[], options: Record<string, number>): number;
  /** The same for a registered function whose value is a tensor (MAE's masking). */
  sslLossTensor(name: string, inputs: Tensor<Float32Array>[], options: Record<string, number>): Tensor<Float32Array>;
  /** BYOL's momentum tau at step k of K. */
  byolMomentum(tauBase: number, step: number, totalSteps: number): number;
  /** Warm-up + cosine learning rate at a step. */
  cosineWarmupLr(baseLr: number, step: number, warmupSteps: number, totalSteps: number): number;
  /** Runs `steps` optimizer steps on parameters with given constant gradients; returns the parameters after each step. */
  optimizerSteps(
    name: string,
    params: Tensor<Float32Array>[],
    grads: Tensor<Float32Array>[],
    options: { lr: number; momentum: number; weightDecay: number; steps: number },
  ): Float32Array[][];
}
