import type { Command } from 'commander';
import { distributedCheck, distributedConfigFromEnv } from '../distributed';
import { parseInteger } from './parse';

/**
 * `sslmem distributed-check`: run on every rank of a torchrun-style launch (RANK, WORLD_SIZE,
 * MASTER_ADDR, MASTER_PORT set) to check that the c10d group forms before a long job.
 */
export function registerDistributed(program: Command): void {
  program
    .command('distributed-check')
    .description('join the c10d process group described by RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT and check an all-reduce and a broadcast')
    .option('--backend <name>', 'gloo (CPU) or nccl (GPU)', 'gloo')
    .option('--timeout <ms>', 'rendezvous and collective timeout in milliseconds', '300000')
    .action(async (options: { backend: string; timeout: string }) => {
      const env = distributedConfigFromEnv();
      if (!env) throw new Error('Expected WORLD_SIZE (and RANK, MASTER_ADDR, MASTER_PORT) in the environment for distributed-check but received none');
      const result = await distributedCheck({ ...env, backend: options.backend as 'gloo' | 'nccl', timeoutMs: parseInteger('--timeout', options.timeout, { min: 1 }) });
      const w = result.worldSize;
      const ok = result.allReduceSum[0] === (w * (w + 1)) / 2 && result.broadcast[0] === 10;
      process.stdout.write(`${JSON.stringify({ ...result, ok })}\n`);
      if (!ok) process.exitCode = 1;
    });
}
