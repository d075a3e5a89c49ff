/** Raw native functions of the downstream evaluation (native/torch/eval_binding.cc). */
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

export interface EvalNative {
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
