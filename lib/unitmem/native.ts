/** Raw native functions of UnitMem: native/addon/unitmem_binding.cc (kernel tier). */
import type { Tensor } from '../tensor';

/** The streaming state's arrays exactly as the kernel reads them (native/kernels/unitmem.h). */
export interface UnitMemArrays {
  /** Exact per-unit sums of mu over the points seen: units x unitmemDigits base-2^32 digits. */
  sums: BigInt64Array;
  /** Per unit, the largest mu seen (-Infinity before any point). */
  top: Float64Array;
  /** Per unit, the id of the point attaining `top` (-1 before any point). */
  topPoint: Float64Array;
  /** [points folded in]. */
  points: Float64Array;
}

export interface UnitMemNative {
  unitmemAccumulate(state: UnitMemArrays, activations: Tensor<Float32Array>, ids: Float64Array, options: { threads: number; cancel?: Int32Array }): Promise<void>;
  unitmemMerge(into: UnitMemArrays, from: UnitMemArrays): void;
  unitmemFinish(state: UnitMemArrays): { muMax: Float64Array; muRest: Float64Array; selectivity: Float64Array; point: Float64Array };
  /** Digits per unit of the exact sums. */
  unitmemDigits: number;
}
