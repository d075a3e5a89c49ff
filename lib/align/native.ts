/**
 * Raw native functions of the alignment capability (native/addon/align_binding.cc). The public
 * API is {@link ../align/index}; these are called only through it and by the backend tests.
 */
import type { AlignResult, DifferenceResult, ReprsTensor } from './types';

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

/** What the native side returns: the public results without the echoed metric and pairing. */
export type AlignNativeStats = Omit<AlignResult, 'metric' | 'pairing'>;
export type AlignNativeDifference = Omit<DifferenceResult, 'metric' | 'pairing'>;

export interface AlignNative {
  /** Per-point pair statistics of reprs [N, V, D]. */
  alignPairStats(reprs: ReprsTensor, options?: AlignNativeOptions): Promise<AlignNativeStats>;
  /** Per-point paired difference g - f of two [N, V, D] tensors of the same views. */
  alignDifference(f: ReprsTensor, g: ReprsTensor, options?: AlignNativeOptions): Promise<AlignNativeDifference>;
  /** The backend chosen when the addon loaded, and every backend this CPU can run. */
  alignBackends(): { selected: string; available: string[] };
}
