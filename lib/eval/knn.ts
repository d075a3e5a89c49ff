/**
 * Weighted kNN classifier on frozen features (Wu et al. 2018, "Unsupervised Feature Learning via
 * Non-Parametric Instance Discrimination", Sec. 3.4): cosine similarity, the k most similar
 * training points vote with weight exp(sim / T). Runs in libtorch on a worker thread
 * (native/torch/knn_eval.cc).
 */
import { torch } from '../binding';
import { invalidType, withCallSite } from '../errors';
import { withCancel } from '../abort';
import type { Tensor, Float32Tensor } from '../tensor';
import { assertInteger, assertNumber, assertObject } from '../validate';
import { applyTorchThreads, validateFeatureSets } from './checks';

/** Wu et al. 2018's k. */
export const DEFAULT_KNN_K = 200;
/** Wu et al. 2018's temperature. */
export const DEFAULT_KNN_TEMPERATURE = 0.1;

export interface KnnClassifyOptions {
  /** [N, D] float32 features of the labelled bank. */
  trainFeatures: Float32Tensor;
  trainLabels: Int32Array;
  /** [M, D] float32 features to classify. */
  testFeatures: Float32Tensor;
  /** When given, the result includes accuracy. */
  testLabels?: Int32Array;
  /** Neighbours (clamped to N). Default 200. */
  k?: number;
  /** Temperature T of the vote weights exp(sim / T), at least 1/700. Default 0.1. */
  temperature?: number;
  /** Number of classes K (default: 1 + the largest label seen). */
  classes?: number;
  /** Test rows per similarity matmul. Default 1024. */
  batchSize?: number;
  /** libtorch intra-op threads (process-wide setting; 0 = all). Default: leave as is. */
  threads?: number;
  signal?: AbortSignal;
}

export interface KnnClassifyResult {
  /** Predicted class per test row (ties: the lowest class index). */
  predictions: Int32Array;
  /** [M, K] summed vote weights per class. */
  votes: Tensor<Float64Array>;
  k: number;
  temperature: number;
  /** Fraction correct; NaN without testLabels. */
  accuracy: number;
}

/** Classifies each test row by the weighted vote of its k most cosine-similar training rows. */
export async function knnClassify(options: KnnClassifyOptions): Promise<KnnClassifyResult> {
  assertObject('options', options);
  const { trainFeatures, trainLabels, testFeatures, testLabels } = options;
  if (testFeatures === undefined) throw invalidType('options.testFeatures', 'a tensor {data: Float32Array, shape: [M, D]}', testFeatures);
  const classes = validateFeatureSets(options);
  const k = options.k ?? DEFAULT_KNN_K;
  assertInteger('options.k', k, { min: 1 });
  const temperature = options.temperature ?? DEFAULT_KNN_TEMPERATURE;
  assertNumber('options.temperature', temperature, { min: 1 / 700 });
  const batchSize = options.batchSize ?? 1024;
  assertInteger('options.batchSize', batchSize, { min: 1 });
  applyTorchThreads(options.threads);
  const native = torch();
  const result = await withCancel(options.signal, (cancel) =>
    withCallSite(
      native.knnClassify(trainFeatures, trainLabels, testFeatures, {
        k,
        temperature,
        classes,
        batchSize,
        cancel,
      }),
    ),
  );
  let accuracy = NaN;
  if (testLabels) {
    let correct = 0;
    for (let i = 0; i < testLabels.length; i++) if (result.predictions[i] === testLabels[i]) correct++;
    accuracy = correct / testLabels.length;
  }
  return { ...result, k, temperature, accuracy };
}
