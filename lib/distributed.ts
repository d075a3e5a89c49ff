/**
 * Running sslmem across processes and machines with libtorch's distributed engine (c10d): Gloo on
 * CPU, NCCL on GPU. Processes are launched torchrun-style: each gets RANK, WORLD_SIZE, MASTER_ADDR
 * and MASTER_PORT in its environment (Slurm: from SLURM_PROCID/SLURM_NTASKS; Kubernetes: an
 * indexed Job), and rank 0 hosts the rendezvous store.
 */
import { torch } from './binding';
import { withCallSite } from './errors';
import { assertInteger, assertObject, assertOneOf, assertString } from './validate';

export interface DistributedConfig {
  /** This process's rank in [0, worldSize). */
  rank: number;
  /** Number of processes. */
  worldSize: number;
  /** Host of rank 0's rendezvous store. Default "127.0.0.1". */
  masterAddr?: string;
  /** Port of rank 0's rendezvous store. Default 29500 (torchrun's). */
  masterPort?: number;
  /** "gloo" for CPU tensors (default), "nccl" for CUDA tensors. */
  backend?: 'gloo' | 'nccl';
  /** How long collectives and the rendezvous wait before failing. Default 300,000 ms. */
  timeoutMs?: number;
}

/** Checks a config and fills its defaults. */
export function resolveDistributedConfig(config: DistributedConfig, name = 'distributed'): Required<DistributedConfig> {
  assertObject(name, config);
  assertInteger(`${name}.worldSize`, config.worldSize, { min: 1 });
  assertInteger(`${name}.rank`, config.rank, { min: 0, max: config.worldSize - 1 });
  const masterAddr = config.masterAddr ?? '127.0.0.1';
  assertString(`${name}.masterAddr`, masterAddr, { nonEmpty: true });
  const masterPort = config.masterPort ?? 29500;
  assertInteger(`${name}.masterPort`, masterPort, { min: 1, max: 65535 });
  const backend = config.backend ?? 'gloo';
  assertOneOf(`${name}.backend`, backend, ['gloo', 'nccl'] as const);
  const timeoutMs = config.timeoutMs ?? 300_000;
  assertInteger(`${name}.timeoutMs`, timeoutMs, { min: 1 });
  return { rank: config.rank, worldSize: config.worldSize, masterAddr, masterPort, backend, timeoutMs };
}

/**
 * The torchrun-style launch variables of this process, or undefined when WORLD_SIZE is unset
 * (a single-process run). Slurm's SLURM_PROCID / SLURM_NTASKS stand in for RANK / WORLD_SIZE.
 */
export function distributedConfigFromEnv(env: NodeJS.ProcessEnv = process.env): Required<DistributedConfig> | undefined {
  const worldText = env.WORLD_SIZE ?? env.SLURM_NTASKS;
  if (worldText === undefined) return undefined;
  const rankText = env.RANK ?? env.SLURM_PROCID;
  const parse = (variable: string, text: string | undefined): number => {
    const value = text === undefined ? NaN : Number(text);
    assertInteger(variable, Number.isNaN(value) ? text : value, { min: 0 });
    return value;
  };
  return resolveDistributedConfig(
    {
      rank: parse('RANK', rankText),
      worldSize: parse('WORLD_SIZE', worldText),
      masterAddr: env.MASTER_ADDR ?? '127.0.0.1',
      masterPort: env.MASTER_PORT === undefined ? 29500 : parse('MASTER_PORT', env.MASTER_PORT),
      backend: (env.SSLMEM_DIST_BACKEND as 'gloo' | 'nccl' | undefined) ?? 'gloo',
    },
    'environment',
  );
}

export interface DistributedCheckResult {
  rank: number;
  worldSize: number;
  /** The all-reduced [1, 2] * (rank + 1): W(W+1)/2 * [1, 2] on every rank when the group works. */
  allReduceSum: number[];
  /** Rank 0's probe weight and bias (10, 20) as received by this rank. */
  broadcast: number[];
}

/** Whether this torch tier was built with c10d (Gloo headers found at build time). */
export function distributedSupported(): boolean {
  return torch().distributedSupported;
}

/**
 * Joins the process group, runs an all-reduce and a broadcast whose results are known in closed
 * form, and leaves: a quick check of a cluster launch before a long run. Every rank must call it.
 */
export async function distributedCheck(config: DistributedConfig): Promise<DistributedCheckResult> {
  const resolved = resolveDistributedConfig(config);
  return withCallSite(torch().distributedCheck(resolved));
}
