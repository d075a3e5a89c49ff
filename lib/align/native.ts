/**
 * Raw native functions of the alignment capability (native/addon/align_binding.cc). The public
 * API is {@link ../align/index}; these are called only through it and by the backend tests.
 */
import type { Float32Tensor } from '../tensor';

/** Options exactly as the native side reads them (defaults are the native ones). */
export interface AlignNativeOptions {
  metric?: string;
  pairing?: string;
  returnPairs?: boolean;
  checkFinite?: boolean;
  threads?: number;
  /** 'auto' (the backend chosen at load), 'serial', 'avx2' or 'avx512'; for tests and benches. */
  backend?: string;
}

export interface AlignNativeStats {
  count: number;
  mean: Float64Array;
  std: Float64Array;
  pairs?: Float32Tensor;
}

export interface AlignNativeDifference {
  count: number;
  meanF: Float64Array;
  meanG: Float64Array;
  meanDiff: Float64Array;
  stdDiff: Float64Array;
  se: Float64Array;
  pairsF?: Float32Tensor;
  pairsG?: Float32Tensor;
}

export interface AlignNative {
  /** Per-point pair statistics of reprs [N, V, D]. */
  alignPairStats(reprs: Float32Tensor, options?: AlignNativeOptions): Promise<AlignNativeStats>;
  /** Per-point paired difference g - f of two [N, V, D] tensors of the same views. */
  alignDifference(f: Float32Tensor, g: Float32Tensor, options?: AlignNativeOptions): Promise<AlignNativeDifference>;
  /** The backend chosen when the addon loaded, and every backend this CPU can run. */
  alignBackends(): { selected: string; available: string[] };
}
