/**
 * Which BLAS libtorch's matrix products run on in this process. Debian's libtorch links
 * libblas.so.3, and the alternatives system points that at the netlib reference BLAS (what a
 * fresh Debian 12 gets), OpenBLAS, BLIS, ATLAS or MKL: a training step here takes about 3.5x as
 * long on the reference one (bench/RESULTS.md, "BLAS"). The answer comes from the loaded objects:
 * the torch tier reports the shared object that defines `sgemm_` where libtorch's own references
 * bind (native/addon/torch/blas_info.cc); this module resolves the alternatives symlinks and names it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BlasInfoNative, torch } from './binding';

type NativeBlasInfo = ReturnType<BlasInfoNative['blasInfo']>;

/** Families of BLAS libraries told apart. */
export type BlasKind = 'openblas' | 'reference' | 'mkl' | 'blis' | 'atlas' | 'unknown';

/** How a BLAS runs its threads: its own pthreads pool, OpenMP (shared with libtorch's), or none. */
export type BlasThreading = 'pthread' | 'openmp' | 'serial';

/** The BLAS libtorch uses, found in the loaded objects. */
export interface BlasLibrary {
  /** Real path (symlinks resolved) of the shared object defining `sgemm_` for libtorch. */
  library: string;
  /** The path the loader opened it by, e.g. the alternatives link /lib/x86_64-linux-gnu/libblas.so.3. */
  loadedAs: string;
  kind: BlasKind;
  /** From OpenBLAS itself (openblas_get_parallel) when it is OpenBLAS, else from the path when it says. */
  threading?: BlasThreading;
  /** OpenBLAS only: real path of the library doing the work (Debian's libblas.so.3 is a thin interface over libopenblas.so.0). */
  core?: string;
  /** OpenBLAS only: its build, as openblas_get_config() reports it, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64". */
  config?: string;
}

/** {@link detectBlas}'s answer: the library, or null and why it could not be told. */
export type BlasReport = BlasLibrary | { library: null; reason: string };

/**
 * The Debian package scripts/setup.sh installs for libblas.so.3: OpenBLAS built on OpenMP, whose
 * threads follow libtorch's thread count (bench/RESULTS.md, "BLAS", has the measurements).
 */
export const RECOMMENDED_BLAS_PACKAGE = 'libopenblas0-openmp';

/** What running on the reference BLAS costs and how to leave it (sslmem info and train's warning say it). */
export const REFERENCE_BLAS_ADVICE =
  `a training step takes about 3.5x as long as on OpenBLAS; install it with "apt-get install ${RECOMMENDED_BLAS_PACKAGE}" (scripts/setup.sh does)`;

// Debian installs each BLAS that provides libblas.so.3 in its own directory under the multiarch
// library directory: blas/ (netlib reference), openblas-pthread/, blis-openmp/, atlas/, ...
const debianVariant = /^(openblas|blis)-(pthread|openmp|serial)$/;

/**
 * Names a BLAS from the real path of its shared object (no symlinks: see {@link detectBlas}), by
 * Debian's alternatives directories and the libraries' own file names. Never throws: a path it
 * does not know is `{ kind: 'unknown' }`.
 */
export function classifyBlas(realPath: string): { kind: BlasKind; threading?: BlasThreading } {
  const dir = path.basename(path.dirname(realPath));
  const file = path.basename(realPath);
  const variant = debianVariant.exec(dir);
  if (variant) return { kind: variant[1] as BlasKind, threading: variant[2] as BlasThreading };
  if (dir === 'blas' && file.startsWith('libblas.so')) return { kind: 'reference', threading: 'serial' };
  if (file.startsWith('libopenblas')) return { kind: 'openblas' };
  if (file.startsWith('libmkl_')) return { kind: 'mkl' };
  if (file.startsWith('libblis')) return { kind: 'blis' };
  if (dir === 'atlas' || /^lib[st]?atlas/.test(file)) return { kind: 'atlas' };
  return { kind: 'unknown' };
}

/** One line for people: "openblas (openmp), /usr/lib/.../libblas.so.3; OpenBLAS 0.3.21 ..." or "not known: why". */
export function blasSummary(blas: BlasReport): string {
  if (blas.library === null) return `not known: ${blas.reason}`;
  const threading = blas.threading ? ` (${blas.threading})` : '';
  const config = blas.config ? `; ${blas.config}` : '';
  return `${blas.kind}${threading}, ${blas.library}${config}`;
}

const openblasParallel: Record<number, BlasThreading> = { 0: 'serial', 1: 'pthread', 2: 'openmp' };

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * The BLAS libtorch binds in this process (loads the torch tier). Never throws: without the torch
 * tier, or when libtorch binds no `sgemm_` (a build with its BLAS linked in), `library` is null
 * and `reason` says why.
 */
export function detectBlas(): BlasReport {
  let found: NativeBlasInfo;
  try {
    found = torch().blasInfo();
  } catch (error) {
    return { library: null, reason: (error as Error).message };
  }
  return describeBlas(found);
}

/** Interprets the torch tier's lookup (separate from {@link detectBlas} so tests can feed it cases). */
export function describeBlas(found: NativeBlasInfo): BlasReport {
  if (found.object === null) {
    return { library: null, reason: `no shared object defines ${found.symbol} where libtorch binds it (libtorch was built with its BLAS linked in, or without one)` };
  }
  const library = realPath(found.object);
  const named: BlasLibrary = { library, loadedAs: found.object, ...classifyBlas(library) };
  const openblas = found.openblas;
  if (openblas === null) return named;
  const core = realPath(openblas.object);
  // An OpenBLAS loaded for another library (SuperLU, ARPACK) says nothing about libtorch's sgemm_.
  if (named.kind !== 'openblas' && core !== library) return named;
  return {
    ...named,
    kind: 'openblas',
    threading: openblasParallel[openblas.parallel] ?? named.threading,
    core,
    ...(openblas.config === undefined ? {} : { config: openblas.config }),
  };
}
