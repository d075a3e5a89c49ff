/**
 * The alignment capability's data types, on their own so that lib/align/native.ts (the raw
 * addon's contract, which lib/binding.ts imports) can name them without importing lib/align/index,
 * which imports lib/binding: no circle, not even a type-only one.
 */
import type { Float32Tensor, Tensor } from '../tensor';
import type { AlignMetric, Pairing } from './metrics';

/**
 * float16 representations: a Uint16Array holding IEEE 754 binary16 bit patterns (what
 * `torch.float16` tensors, `numpy.float16` arrays and Node's `Float16Array` store). The kernels
 * widen each point's block exactly to float32 (F16C where the CPU has it), so results equal those
 * of the float32 path on the widened values, while reading half the bytes.
 */
export type Float16BitsTensor = Tensor<Uint16Array>;

/** Representations [N, V, D]: float32, or float16 as {@link Float16BitsTensor}. */
export type ReprsTensor = Float32Tensor | Float16BitsTensor;

/** Options of {@link align} and {@link alignDifference}. */
export interface AlignOptions {
  /** How two views are compared. Default `'l2-normalized'`, the SSLMem alignment distance. */
  metric?: AlignMetric;
  /**
   * Which views are compared. Default `'anchor'`: view 0 (the clean image) against every other
   * view, as the SSLMem authors' code scores points; `'pairs'` follows the paper's formula.
   */
  pairing?: Pairing;
  /** Also return every pair value ([N, P] float32). Default false. */
  returnPairs?: boolean;
  /**
   * Fail with a RangeError naming the first row that contains NaN or +-Infinity. Default true
   * (the check is fused into the kernel's single pass and costs nothing); false lets non-finite
   * values propagate into the affected points' results.
   */
  checkFinite?: boolean;
  /** Threads inside this one job; 0 (default) = all hardware threads. Results do not depend on it. */
  threads?: number;
}

/** Per-point statistics of one encoder's pair values. */
export interface AlignResult {
  metric: AlignMetric;
  pairing: Pairing;
  /** Pairs per point, P. */
  count: number;
  /** Per point: mean over its P pair values (float64). */
  mean: Float64Array;
  /** Per point: sample standard deviation (ddof 1) of its pair values; NaN when P = 1. */
  std: Float64Array;
  /** With `returnPairs`: every pair value, [N, P], in the order of {@link pairIndices}. */
  pairs?: Float32Tensor;
}

/** Per-point paired difference between encoders g and f on the same views. */
export interface DifferenceResult {
  metric: AlignMetric;
  pairing: Pairing;
  /** Pairs per point, P. */
  count: number;
  /** Per point: f's mean pair value. */
  meanF: Float64Array;
  /** Per point: g's mean pair value. */
  meanG: Float64Array;
  /** Per point: mean over pairs of d_g - d_f (equals meanG - meanF up to rounding). */
  meanDiff: Float64Array;
  /** Per point: sample standard deviation (ddof 1) of d_g - d_f over its pairs; NaN when P = 1. */
  stdDiff: Float64Array;
  /** Per point: standard error of meanDiff, stdDiff / sqrt(P). */
  se: Float64Array;
  /** With `returnPairs`: f's pair values, [N, P]. */
  pairsF?: Float32Tensor;
  /** With `returnPairs`: g's pair values, [N, P]. */
  pairsG?: Float32Tensor;
}
