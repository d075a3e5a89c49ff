/**
 * The typed contract of the two native addons (onnxruntime-node's `binding.ts` pattern). The
 * public API goes through the capability modules, never through the `.node` files directly.
 *
 * - Kernel tier, `build/Release/sslmem_kernels.node`: built by `npm ci`, always present.
 * - Torch tier, `build-torch/Release/sslmem_torch.node`: built by `npm run build:torch`; when it is
 *   missing, {@link torch} throws an error with code ERR_SSLMEM_TORCH_MISSING saying how to build it.
 *
 * Each capability declares its raw native functions in its own `native.ts`; this file joins them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, SslmemError } from './errors';
import type { AugmentNative } from './augment/native';
import type { AlignNative } from './align/native';
import type { UnitMemNative } from './unitmem/native';
import type { EncoderNative } from './encoder/native';
import type { TrainNative } from './train/native';
import type { EvalNative } from './eval/native';

export interface KernelCapabilities {
  tier: 'kernels';
  /** Best SIMD backend found on this CPU at load: "avx512", "avx2" or "serial". */
  simd: string;
  avx2: boolean;
  avx512: boolean;
  /** bfloat16 matrix products in hardware (AVX-512-BF16 or AMX-BF16): what makes scoring's `precision: 'bf16'` fast. */
  bf16: boolean;
  hardwareThreads: number;
}

export interface CommonNative {
  capabilities(): KernelCapabilities;
  /** Index of the first NaN/Inf, or -1. */
  findNonFinite(data: Float32Array, threads: number): Promise<number>;
}

export type KernelAddon = CommonNative & AugmentNative & AlignNative & UnitMemNative;

export interface TorchInfo {
  tier: 'torch';
  torchVersion: string;
  intraOpThreads: number;
  interOpThreads: number;
  cudaAvailable: boolean;
  cudaDeviceCount: number;
  /** Whether sslmem's own CUDA kernels were compiled into this build (nvcc found at build time). */
  cudaKernels: boolean;
  parallelInfo: string;
}

export interface TorchInfoNative {
  torchInfo(): TorchInfo;
  /** Sets libtorch's intra-op thread count; returns the count now in force. */
  setThreads(threads: number): number;
}

/** The BLAS libtorch binds (native/addon/torch/blas_info.cc); lib/blas.ts interprets it. */
export interface BlasInfoNative {
  blasInfo(): {
    /** The symbol looked up in libtorch's scope: "sgemm_". */
    symbol: string;
    /** The shared object defining it, as the loader opened it (symlinks unresolved); null if none. */
    object: string | null;
    /** OpenBLAS's own report when one is loaded: its object, openblas_get_parallel() (0 serial, 1 pthreads, 2 OpenMP), openblas_get_config(). */
    openblas: { object: string; parallel: number; config?: string } | null;
  };
}

export interface DistributedNative {
  distributedSupported: boolean;
  distributedCheck(config: object): Promise<{ rank: number; worldSize: number; allReduceSum: number[]; broadcast: number[] }>;
}

export type TorchAddon = CommonNative & TorchInfoNative & BlasInfoNative & DistributedNative & EncoderNative & TrainNative & EvalNative;

const packageRoot = path.resolve(__dirname, '..', '..');

/** Where the addons are looked for (overridable for custom builds). */
export const addonPaths = {
  kernels: process.env.SSLMEM_KERNELS_ADDON || path.join(packageRoot, 'build', 'Release', 'sslmem_kernels.node'),
  torch: process.env.SSLMEM_TORCH_ADDON || path.join(packageRoot, 'build-torch', 'Release', 'sslmem_torch.node'),
};

let kernelAddon: KernelAddon | undefined;
let torchAddon: TorchAddon | undefined;
let torchLoadError: SslmemError | undefined;

/** The kernel tier addon. Throws ERR_SSLMEM_KERNELS_MISSING if the package was not built. */
export function kernels(): KernelAddon {
  if (kernelAddon) return kernelAddon;
  if (!fs.existsSync(addonPaths.kernels)) {
    throw new SslmemError(
      ErrorCodes.kernelsMissing,
      `The sslmem kernel addon was not found at ${addonPaths.kernels}. Build it with "npm run build:kernels" (needs a C++17 compiler).`,
    );
  }
  kernelAddon = require(addonPaths.kernels) as KernelAddon;
  return kernelAddon;
}

/** The torch tier addon. Throws ERR_SSLMEM_TORCH_MISSING, with the way to build it, if absent. */
export function torch(): TorchAddon {
  if (torchAddon) return torchAddon;
  if (torchLoadError) throw torchLoadError;
  const how =
    'Build it with "npx sslmem build-torch" (or "npm run build:torch" in a clone) after installing libtorch (Debian 12: apt-get install libtorch-dev), ' +
    'or "npx sslmem build-torch --libtorch /path/to/libtorch" for a downloaded (e.g. CUDA) libtorch.';
  if (!fs.existsSync(addonPaths.torch)) {
    torchLoadError = new SslmemError(ErrorCodes.torchMissing, `The sslmem torch tier is not built (no ${addonPaths.torch}). ${how}`);
    throw torchLoadError;
  }
  try {
    torchAddon = require(addonPaths.torch) as TorchAddon;
  } catch (cause) {
    torchLoadError = new SslmemError(
      ErrorCodes.torchMissing,
      `The sslmem torch tier at ${addonPaths.torch} could not be loaded (${(cause as Error).message}). ${how}`,
      { cause },
    );
    throw torchLoadError;
  }
  return torchAddon;
}

/** Whether the torch tier is built and loads on this machine. */
export function torchAvailable(): boolean {
  try {
    torch();
    return true;
  } catch {
    return false;
  }
}
