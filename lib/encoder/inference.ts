/**
 * How an encoder runs its inference forward passes (native/torch/inference_graph.h): the options
 * and their one check, shared by lib/encoder and lib/score. No torch here: scoring imports it.
 */
import { invalidType } from '../errors';
import { assertInteger, assertOneOf } from '../validate';

/** Numeric precisions of inference forward passes: fp32, or bf16 matrix products (opt-in). */
export const precisions = ['fp32', 'bf16'] as const;
export type Precision = (typeof precisions)[number];

/** How {@link Encoder.embedViews} and {@link Encoder.embed} run their forward passes. */
export interface InferenceOptions {
  /**
   * Run the encoder's inference graph (default true): libtorch's freeze + optimize_for_inference
   * (batch norm folded into the layer before it, oneDNN-prepacked convolutions), checked against
   * the plain forward on its first batch and given up for good if it disagrees beyond rounding.
   * false: the plain (eager) forward. Results agree to float rounding (about 1e-6).
   */
  graph?: boolean;
  /**
   * 'fp32' (default), or 'bf16': convolutions and matrix products in bfloat16 (libtorch's CPU
   * autocast, fp32 accumulation), fast on CPUs with AVX-512-BF16 or AMX (systemInfo().kernels.bf16)
   * and slower than fp32 elsewhere. Changes the representations by ~1e-2 relative: see
   * docs/scoring-speed.md for its measured effect on m.
   */
  precision?: Precision;
  /** libtorch threads of this call (0, the default: the count setTorchThreads set). */
  threads?: number;
}

/** The inference options checked, as the binding reads them. */
export function resolveInference(options: InferenceOptions): Required<InferenceOptions> {
  const graph = options.graph ?? true;
  if (typeof graph !== 'boolean') throw invalidType('options.graph', 'a boolean', graph);
  const precision = options.precision ?? 'fp32';
  assertOneOf('options.precision', precision, precisions);
  const threads = options.threads ?? 0;
  assertInteger('options.threads', threads, { min: 0, max: 1024 });
  return { graph, precision, threads };
}
