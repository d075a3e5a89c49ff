import type { Command } from 'commander';
import { BlasReport, blasSummary, REFERENCE_BLAS_ADVICE } from '../blas';
import { systemInfo } from '../system';

/** The line naming libtorch's BLAS, with the way out when it is the slow reference one. */
function blasLine(blas: BlasReport): string {
  const advice = blas.library !== null && blas.kind === 'reference' ? ` (the netlib reference BLAS: ${REFERENCE_BLAS_ADVICE})` : '';
  return `BLAS:        ${blasSummary(blas)}${advice}`;
}

/** `sslmem info`: what this installation can do (SIMD backend, threads, libtorch, CUDA, BLAS). */
export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('show the kernel tier (SIMD backend, threads) and the torch tier (libtorch version, threads, CUDA, BLAS)')
    .option('--json', 'print JSON for machines')
    .action((options: { json?: boolean }) => {
      const info = systemInfo();
      if (options.json) {
        process.stdout.write(JSON.stringify(info, null, 2) + '\n');
        return;
      }
      const k = info.kernels;
      process.stdout.write(`kernel tier: SIMD ${k.simd} (avx2 ${k.avx2}, avx512 ${k.avx512}), ${k.hardwareThreads} hardware threads\n`);
      const t = info.torch;
      if ('available' in t) {
        process.stdout.write(`torch tier:  not available: ${t.reason}\n`);
      } else {
        process.stdout.write(
          `torch tier:  libtorch ${t.torchVersion}, ${t.intraOpThreads} intra-op threads, CUDA ${t.cudaAvailable ? `${t.cudaDeviceCount} device(s)` : 'not available'}, sslmem CUDA kernels ${t.cudaKernels ? 'built' : 'not built'}\n`,
        );
      }
      process.stdout.write(blasLine(info.blas) + '\n');
    });
}
