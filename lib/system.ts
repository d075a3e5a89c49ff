/**
 * What this installation can do: the kernel tier's SIMD backend and threads, the torch tier's
 * libtorch version, threads and devices, and the BLAS libtorch runs on (or why they are unknown).
 */
import { kernels, KernelCapabilities, torch, TorchInfo } from './binding';
import { ArchitectureInfo, listArchitectures } from './encoder/architectures';
import { listMethods, MethodInfo } from './train/methods';
import { BlasReport, detectBlas } from './blas';
import { assertInteger } from './validate';

export interface SystemInfo {
  kernels: KernelCapabilities;
  torch: TorchInfo | { available: false; reason: string };
  /** The SSL methods and backbones the torch tier registered (empty without it). */
  methods: readonly MethodInfo[];
  architectures: readonly ArchitectureInfo[];
  /** The BLAS libtorch binds in this process ({@link detectBlas}). */
  blas: BlasReport;
}

/** Capabilities of both tiers. Never throws for a missing torch tier: it reports the reason. */
export function systemInfo(): SystemInfo {
  let torchPart: SystemInfo['torch'];
  try {
    torchPart = torch().torchInfo();
  } catch (error) {
    torchPart = { available: false, reason: (error as Error).message };
  }
  const registered = 'available' in torchPart ? { methods: [], architectures: [] } : { methods: listMethods(), architectures: listArchitectures() };
  return { kernels: kernels().capabilities(), torch: torchPart, ...registered, blas: detectBlas() };
}

/** libtorch's version and thread settings. Throws ERR_SSLMEM_TORCH_MISSING without the torch tier. */
export function torchInfo(): TorchInfo {
  return torch().torchInfo();
}

/** Sets libtorch's intra-op threads (0 = all hardware threads); returns the count in force. */
export function setTorchThreads(threads: number): number {
  assertInteger('threads', threads, { min: 0, max: 1024 });
  const n = threads === 0 ? kernels().capabilities().hardwareThreads : threads;
  return torch().setThreads(n);
}
