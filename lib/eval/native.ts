/** Raw native functions of the downstream evaluation (native/addon/torch/eval_binding.cc). */
import type { Tensor } from '../tensor';

export interface NativeProbeResult {
  weights: Tensor<Float64Array>;
  bias: Tensor<Float64Array>;
  mean: Tensor<Float64Array>;
  scale: Tensor<Float64Array>;
  trainPredictions: Int32Array;
  testPredictions: Int32Array;
  loss: number;
  gradientMaxAbs: number;
  trainAccuracy: number;
  testAccuracy: number;
  evaluations: number;
}

export interface NativeKnnResult {
  predictions: Int32Array;
  votes: Tensor<Float64Array>;
}

export interface NativeNeighbours {
  /** [M, k] cosine similarities, descending per row. */
  similarities: Tensor<Float32Array>;
  /** [M, k] bank row indices. */
  indices: Tensor<Int32Array>;
}

export interface EvalNative {
  nearestNeighbours(
    bank: Tensor<Float32Array>,
    queries: Tensor<Float32Array>,
    options: { k?: number; excludeSelf?: boolean; batchSize?: number; cancel?: Int32Array },
  ): Promise<NativeNeighbours>;
  linearProbe(
    trainFeatures: Tensor<Float32Array>,
    trainLabels: Int32Array,
    testFeatures: Tensor<Float32Array> | null,
    testLabels: Int32Array | null,
    options: { classes?: number; lambda?: number; maxIterations?: number; tolerance?: number; cancel?: Int32Array },
  ): Promise<NativeProbeResult>;
  knnClassify(
    trainFeatures: Tensor<Float32Array>,
    trainLabels: Int32Array,
    testFeatures: Tensor<Float32Array>,
    options: { k?: number; temperature?: number; classes?: number; batchSize?: number; cancel?: Int32Array },
  ): Promise<NativeKnnResult>;
}
