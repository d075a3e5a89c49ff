import type { Command } from 'commander';
import { BlasReport, blasSummary, REFERENCE_BLAS_ADVICE } from '../blas';
import { systemInfo } from '../system';
import type { ArchitectureInfo } from '../encoder/architectures';
import { describeRange, MethodInfo } from '../train/methods';

/** The line naming libtorch's BLAS, with the way out when it is the slow reference one. */
function blasLine(blas: BlasReport): string {
  const advice = blas.library !== null && blas.kind === 'reference' ? ` (the netlib reference BLAS: ${REFERENCE_BLAS_ADVICE})` : '';
  return `BLAS:        ${blasSummary(blas)}${advice}`;
}

/** One method with its heads and every hyper-parameter's default and range. */
function methodLines(m: MethodInfo): string[] {
  const heads = [m.hasProjector ? `projector ${m.projectorDims.join('-')}${m.projectorOutputBatchNorm ? ' + BN' : ''}` : 'no projector'];
  if (m.predictorDims.length) heads.push(`predictor ${m.predictorDims.join('-')}`);
  if (m.targetMomentumOption) heads.push(`EMA target (${m.targetMomentumOption})`);
  if (m.views !== 2) heads.push(`${m.views} view per step`);
  const o = m.optimizer;
  if (o.name !== 'sgd') heads.push(`${o.name} (base lr ${o.baseLr}, weight decay ${o.weightDecay}, betas ${o.betas.join('/')})`);
  const lines = [`  ${m.name.padEnd(14)}${m.title} (${m.citation}): ${heads.join(', ')}; batch >= ${m.minBatch}`];
  for (const o of m.options) lines.push(`    ${o.name} = ${o.default}  ${describeRange(o)}: ${o.doc}`);
  return lines;
}

function architectureLines(a: ArchitectureInfo): string[] {
  const lines = [`  ${a.name.padEnd(14)}${a.description}; ${a.reprDim}-d at width 1, input >= ${a.minSize}x${a.minSize}; layers ${a.layers.join(', ')}`];
  for (const s of a.settings) lines.push(`    ${s.name} = ${s.default}  ${s.choices.length ? `one of ${s.choices.join(', ')}` : 'a positive integer'}: ${s.doc}`);
  return lines;
}

/** `sslmem info`: what this installation can do (SIMD backend, threads, libtorch, CUDA, BLAS). */
export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('show the kernel tier (SIMD backend, threads), the torch tier (libtorch version, threads, CUDA, BLAS) and its SSL methods and encoders')
    .option('--json', 'print JSON for machines')
    .option('--methods', 'also list every SSL method (heads, hyper-parameters with defaults and ranges) and encoder backbone')
    .action((options: { json?: boolean; methods?: boolean }) => {
      const info = systemInfo();
      if (options.json) {
        process.stdout.write(JSON.stringify(info, null, 2) + '\n');
        return;
      }
      const k = info.kernels;
      process.stdout.write(`kernel tier: SIMD ${k.simd} (avx2 ${k.avx2}, avx512 ${k.avx512}, bf16 in hardware ${k.bf16}), ${k.hardwareThreads} hardware threads\n`);
      const t = info.torch;
      if ('available' in t) {
        process.stdout.write(`torch tier:  not available: ${t.reason}\n`);
      } else {
        process.stdout.write(
          `torch tier:  libtorch ${t.torchVersion}, ${t.intraOpThreads} intra-op threads, CUDA ${t.cudaAvailable ? `${t.cudaDeviceCount} device(s)` : 'not available'}, sslmem CUDA kernels ${t.cudaKernels ? 'built' : 'not built'}\n`,
        );
      }
      process.stdout.write(blasLine(info.blas) + '\n');
      if (info.methods.length === 0) return;
      if (!options.methods) {
        process.stdout.write(`methods:     ${info.methods.map((m) => m.name).join(', ')} (--methods for their options)\n`);
        process.stdout.write(`encoders:    ${info.architectures.map((a) => a.name).join(', ')}\n`);
        return;
      }
      process.stdout.write(['methods:', ...info.methods.flatMap(methodLines), 'encoders:', ...info.architectures.flatMap(architectureLines)].join('\n') + '\n');
    });
}
