/**
 * Linear probe: multinomial logistic regression on frozen, standardized features, the standard
 * downstream evaluation of SSL encoders (Chen et al. 2020, SimCLR, Sec. 4; the SSLMem paper,
 * Sec. 5). Trained by libtorch on a worker thread (native/torch/probe.cc).
 */
import { torch } from '../binding';
import { invalidType, withCallSite } from '../errors';
import { withCancel } from '../abort';
import type { Tensor, Float32Tensor } from '../tensor';
import { assertInteger, assertNumber, assertObject } from '../validate';
import { applyTorchThreads, validateFeatureSets } from './checks';

/** Default L2 penalty per sample: scikit-learn's LogisticRegression(C=1) at N = 10,000. */
export const DEFAULT_PROBE_LAMBDA = 1e-4;
/** Default cap on full-batch L-BFGS iterations. */
export const DEFAULT_PROBE_EPOCHS = 500;

export interface LinearProbeOptions {
  /** [N, D] float32 training features (frozen representations). */
  trainFeatures: Float32Tensor;
  /** N labels in [0, classes). */
  trainLabels: Int32Array;
  /** [M, D] float32 features to report accuracy on (optional). */
  testFeatures?: Float32Tensor;
  testLabels?: Int32Array;
  /** Number of classes K (default: 1 + the largest label seen). */
  classes?: number;
  /**
   * L2 penalty per sample on the weights (not the bias). The objective is
   * (1/N) sum_i CE_i + (lambda/2) ||W||^2 on standardized features, which equals scikit-learn's
   * LogisticRegression(C = 1/(N lambda)). Default {@link DEFAULT_PROBE_LAMBDA} (1e-4).
   */
  lambda?: number;
  /** Maximum full-batch L-BFGS iterations (each sees all N rows). Default 500. */
  epochs?: number;
  /** Stop when every gradient component is below this. Default 1e-9. */
  tolerance?: number;
  /** libtorch intra-op threads (process-wide setting; 0 = all). Default: leave as is. */
  threads?: number;
  signal?: AbortSignal;
}

export interface LinearProbeResult {
  /** [K, D] weights acting on standardized features z = (x - mean) / scale. */
  weights: Tensor<Float64Array>;
  /** [K] biases. */
  bias: Tensor<Float64Array>;
  /** [D] training feature mean and standard deviation (ddof 0; 1 where the feature is constant). */
  mean: Tensor<Float64Array>;
  scale: Tensor<Float64Array>;
  lambda: number;
  classes: number;
  trainAccuracy: number;
  /** NaN when no test set was given. */
  testAccuracy: number;
  trainPredictions: Int32Array;
  testPredictions: Int32Array;
  /** Objective value at the returned weights. */
  loss: number;
  /** Largest absolute gradient component at the returned weights (0 at the exact optimum). */
  gradientMaxAbs: number;
  /** Objective evaluations made by L-BFGS. */
  evaluations: number;
}

/**
 * Fits a multinomial logistic regression on standardized training features with full-batch
 * L-BFGS (strong Wolfe line search) from zero weights (deterministic) and reports accuracy.
 */
export async function linearProbe(options: LinearProbeOptions): Promise<LinearProbeResult> {
  assertObject('options', options);
  const { trainFeatures, trainLabels, testFeatures, testLabels } = options;
  if (testFeatures !== undefined && testLabels === undefined) throw invalidType('options.testLabels', 'an Int32Array (testFeatures was given)', testLabels);
  const classes = validateFeatureSets(options);
  const hasTest = testFeatures !== undefined;
  const lambda = options.lambda ?? DEFAULT_PROBE_LAMBDA;
  assertNumber('options.lambda', lambda, { min: 0 });
  const epochs = options.epochs ?? DEFAULT_PROBE_EPOCHS;
  assertInteger('options.epochs', epochs, { min: 1 });
  const tolerance = options.tolerance ?? 1e-9;
  assertNumber('options.tolerance', tolerance, { min: 0 });
  applyTorchThreads(options.threads);
  const native = torch();
  const result = await withCancel(options.signal, (cancel) =>
    withCallSite(
      native.linearProbe(trainFeatures, trainLabels, hasTest ? testFeatures : null, hasTest ? (testLabels as Int32Array) : null, {
        classes,
        lambda,
        maxIterations: epochs,
        tolerance,
        cancel,
      }),
    ),
  );
  return { ...result, lambda, classes };
}
