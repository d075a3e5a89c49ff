/**
 * train()'s once-per-process warning when libtorch runs on the netlib reference BLAS (what a fresh
 * Debian 12 gets for libblas.so.3): training then works, only each step takes about 3.5x as long
 * (STYLE.md rule 7: no silent slow path).
 */
import { BlasReport, detectBlas, REFERENCE_BLAS_ADVICE } from '../blas';

/** The `code` of the warning, for `process.on('warning')` listeners. */
export const REFERENCE_BLAS_WARNING = 'SSLMEM_REFERENCE_BLAS';

/** The detector the check consults; tests replace `detect` to stand in for a reference BLAS. */
export const blasCheck = { detect: (): BlasReport => detectBlas() };

let checked = false;

/** Emits {@link REFERENCE_BLAS_WARNING} through process.emitWarning, at most once per process. */
export function warnIfReferenceBlas(): void {
  if (checked) return;
  checked = true;
  const blas = blasCheck.detect();
  if (blas.library !== null && blas.kind === 'reference') {
    process.emitWarning(`libtorch runs on the netlib reference BLAS (${blas.library}): ${REFERENCE_BLAS_ADVICE}.`, {
      code: REFERENCE_BLAS_WARNING,
    });
  }
}
