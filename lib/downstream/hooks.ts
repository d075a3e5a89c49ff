/**
 * What cross-fitting and the removal experiment need from training and scoring, as two functions.
 * The defaults (lib/downstream/defaults.ts) train with contract D's `train` and score with the
 * score capability's `score`; tests pass small stand-ins to check the bookkeeping exactly.
 */
import type { EmbeddingEncoder } from '../eval/evaluate';
import type { Uint8Tensor } from '../tensor';

/** An encoder the experiment can embed with and release. */
export interface TrainedEncoder extends EmbeddingEncoder {
  dispose?(): void;
  save?(path: string): void | Promise<void>;
}

export interface TrainRequest {
  /** Training images, uint8 NHWC (already the subset this encoder may see). */
  images: Uint8Tensor;
  /** Dataset indices of those images, in order (recorded in manifests; also keys augmentation). */
  indices: Int32Array;
  /** Seed of the training run. */
  seed: number;
  /** Name of the encoder in the manifests, e.g. "f", "g_0", "top-n100-seed1". */
  name: string;
  signal?: AbortSignal;
}

/** Per point alignment losses of f and g, m = L_g - L_f and its standard error (contract E's ScoreResult). */
export interface PointScores {
  lossF: Float64Array;
  lossG: Float64Array;
  m: Float64Array;
  se: Float64Array;
  count: Int32Array;
}

export interface ScoreRequest {
  f: TrainedEncoder;
  g: TrainedEncoder;
  images: Uint8Tensor;
  /** Dataset indices of the images: key the views' random streams. */
  itemIds: Int32Array;
  seed: number;
  signal?: AbortSignal;
}

export interface ExperimentHooks {
  trainEncoder(request: TrainRequest): Promise<TrainedEncoder>;
  scorePoints(request: ScoreRequest): Promise<PointScores>;
}
