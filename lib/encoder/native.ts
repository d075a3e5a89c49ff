/** Raw native functions of the torch tier (encoders, training, evaluation): native/addon/torch/*_binding.cc. */
import type { Tensor } from '../tensor';

/** A native encoder handle (native/addon/torch/encoder_binding.cc). */
export interface EncoderHandle {
  embedViews(views: Tensor<Float32Array>, options: { batchSize: number; cancel?: Int32Array }): Promise<Tensor<Float32Array>>;
  embedImages(
    images: Tensor<Uint8Array>,
    options: { batchSize: number; mean: Float32Array; std: Float32Array; cancel?: Int32Array },
  ): Promise<Tensor<Float32Array>>;
  save(path: string): Promise<void>;
  info(): { architecture: string; inputShape: [number, number, number]; width: number; reprDim: number; description: string; parameters: number };
  setDescription(json: string): void;
  dispose(): void;
}

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

export interface TorchNative {
  createEncoder(options: { architecture: string; inputShape: number[]; width: number; seed: number; description: string }): EncoderHandle;
  loadEncoder(path: string): Promise<EncoderHandle>;
  loadTorchScript(path: string, inputShape: number[], description: string): Promise<EncoderHandle>;
  knnAccuracy(
    trainFeatures: Tensor<Float32Array>,
    trainLabels: Int32Array,
    testFeatures: Tensor<Float32Array>,
    testLabels: Int32Array,
    options: { k: number; temperature: number; classes: number },
  ): Promise<number>;
  /** Evaluates one SSL loss on fixed inputs (for tests and oracles). */
  sslLoss(
    name: 'nt-xent' | 'byol' | 'simsiam' | 'vicreg' | 'vicreg-invariance' | 'vicreg-variance' | 'vicreg-covariance',
    inputs: Tensor<Float32Array>[],
    options: Record<string, number>,
  ): number;
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
  train(options: Record<string, unknown>, onProgress: (progress: NativeTrainProgress) => void): Promise<NativeTrainResult>;
}
