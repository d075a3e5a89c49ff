/**
 * One training step of each SSL method (listMethods()) on vit-tiny (depth 12, patch 4) and
 * resnet18 (CIFAR stem), 28x28x1 ready-made views, through sslmem's train() and through the same
 * networks, loss and optimizer written in PyTorch (bench/method_step.py, /usr/bin/python3, torch
 * 1.13 like the libtorch sslmem links), same batch and thread count, measured in the same run
 * (issue 13; goal: sslmem / PyTorch <= 1.05).
 *
 *   node dist/bench/method-step.js [--batch 32] [--threads 1] [--steps 5] [--warmup 2] [--rounds 2]
 *       [--methods simclr,byol,...] [--architectures vit-tiny,resnet18] [--default-heads]
 *
 * Heads: by default smaller than the papers' (BENCH_HEADS below, the same on both sides) so that a
 * step stays affordable on two shared cores; --default-heads takes each method's own defaults.
 * Optimizer: each method's paper optimizer (MethodInfo.optimizer, lr scaled by batch / 256), passed
 * explicitly to both sides. Per-step times come from the training loop's progress reports (median
 * over the steps after the warm-up); Python's from time.perf_counter around the same step. Rounds
 * run PyTorch then sslmem for each row, so that a drift in machine load hits both alike.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { blasSummary, listMethods, systemInfo, train } from '../lib';
import type { MethodInfo } from '../lib';
import { arg } from './util/shared';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

type Architecture = 'vit-tiny' | 'resnet18';

/** Head sizes for the bench: each method's structure with narrower layers. */
const BENCH_HEADS: Record<string, { projectorDims?: number[]; predictorDims?: number[]; scalars?: Record<string, number> }> = {
  simclr: { projectorDims: [512, 128] },
  byol: { projectorDims: [1024, 256], predictorDims: [1024, 256] },
  simsiam: { projectorDims: [512, 512, 512], predictorDims: [128, 512] },
  vicreg: { projectorDims: [1024, 1024, 1024] },
  'barlow-twins': { projectorDims: [1024, 1024, 1024] },
  'moco-v3': { projectorDims: [1024, 1024, 256], predictorDims: [1024, 256] },
  dino: { scalars: { hiddenDim: 512, bottleneckDim: 256, prototypes: 1024 } },
  mae: {},
};

interface Row {
  method: MethodInfo;
  architecture: Architecture;
  projectorDims: number[];
  predictorDims: number[];
  methodOptions: Record<string, number>;
  optimizer: { name: string; lr: number; momentum: number; weightDecay: number; betas: number[] };
}

function rowFor(method: MethodInfo, architecture: Architecture, batch: number, defaultHeads: boolean): Row {
  const bench = defaultHeads ? {} : (BENCH_HEADS[method.name] ?? {});
  const projectorDims = method.hasProjector ? (bench.projectorDims ?? method.projectorDims) : [];
  const predictorDims = method.predictorDims.length ? (bench.predictorDims ?? method.predictorDims) : [];
  const o = method.optimizer;
  return {
    method,
    architecture,
    projectorDims,
    predictorDims,
    methodOptions: { ...(bench.scalars ?? {}) },
    optimizer: { name: o.name, lr: (o.baseLr * batch) / 256, momentum: 0.9, weightDecay: o.weightDecay, betas: o.betas },
  };
}

interface Settings {
  batch: number;
  threads: number;
  steps: number;
  warmup: number;
}

interface PythonRound {
  times_ms: number[];
  torch: string;
  blas: string[];
  cpu_per_wall: number;
}

function pytorchRound(row: Row, s: Settings): PythonRound {
  const config = {
    method: row.method.name,
    architecture: row.architecture,
    batch: s.batch,
    threads: s.threads,
    steps: s.steps,
    warmup: s.warmup,
    channels: 1,
    size: 28,
    projector_dims: row.projectorDims,
    predictor_dims: row.predictorDims,
    method_options: row.methodOptions,
    optimizer: { name: row.optimizer.name, lr: row.optimizer.lr, momentum: row.optimizer.momentum, weight_decay: row.optimizer.weightDecay, betas: row.optimizer.betas },
  };
  const script = path.resolve(__dirname, '..', '..', 'bench', 'method_step.py');
  const py = spawnSync('/usr/bin/python3', [script, JSON.stringify(config)], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`method_step.py ${row.method.name} ${row.architecture}: ${py.stderr}`);
  return JSON.parse(py.stdout) as PythonRound;
}

/** Step times (ms) of one sslmem run after the warm-up, and the process's CPU time over wall time. */
async function sslmemRound(row: Row, s: Settings): Promise<{ times: number[]; cpuPerWall: number }> {
  const n = s.batch * (s.warmup + s.steps);
  const views = { data: new Float32Array(n * 2 * 784).map(() => Math.random() * 2 - 1), shape: [n, 2, 1, 28, 28] };
  const heads = row.method.hasProjector ? { projectorDims: row.projectorDims, ...(row.predictorDims.length ? { predictorDims: row.predictorDims } : {}) } : {};
  const times: number[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await train({
    views,
    encoder: { architecture: row.architecture, settings: row.architecture === 'vit-tiny' ? { patch: '4', depth: '12' } : undefined },
    method: row.method.name,
    methodOptions: { ...row.methodOptions, ...heads },
    epochs: 1,
    seed: 0,
    batchSize: s.batch,
    threads: s.threads,
    optimizer: { name: row.optimizer.name, lr: row.optimizer.lr, momentum: row.optimizer.momentum, weightDecay: row.optimizer.weightDecay, ...(row.optimizer.name.startsWith('adam') ? { betas: row.optimizer.betas as [number, number] } : {}) },
    onProgress: (p) => times.push((1000 * s.batch) / p.imagesPerSecond),
  } as Parameters<typeof train>[0]);
  result.encoder.dispose();
  const used = process.cpuUsage(cpu);
  return { times: times.slice(s.warmup), cpuPerWall: (used.user + used.system) / 1000 / (performance.now() - start) };
}

async function main(): Promise<void> {
  const s: Settings = {
    batch: Number(arg('batch', '32')),
    threads: Number(arg('threads', '1')),
    steps: Number(arg('steps', '5')),
    warmup: Number(arg('warmup', '2')),
  };
  const rounds = Number(arg('rounds', '2'));
  const defaultHeads = process.argv.includes('--default-heads');
  const wanted = arg('methods', listMethods().map((m) => m.name).join(',')).split(',');
  const architectures = arg('architectures', 'vit-tiny,resnet18').split(',') as Architecture[];
  const info = systemInfo();
  console.log(`machine: ${os.cpus()[0].model}, ${os.availableParallelism()} threads, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`BLAS (sslmem's libtorch): ${blasSummary(info.blas)}`);
  console.log(`batch ${s.batch}, threads ${s.threads}, ${s.steps} timed steps after ${s.warmup} warm-up, ${rounds} rounds, 28x28x1 views, heads ${defaultHeads ? 'the methods\' defaults' : 'BENCH_HEADS'}`);
  const rows: Row[] = [];
  for (const method of listMethods().filter((m) => wanted.includes(m.name))) {
    for (const architecture of architectures) {
      if (method.name === 'mae' && architecture !== 'vit-tiny') continue;  // MAE masks a ViT's patches
      rows.push(rowFor(method, architecture, s.batch, defaultHeads));
    }
  }
  const pooled = rows.map(() => ({ py: [] as number[], ours: [] as number[], pyCpu: [] as number[], ourCpu: [] as number[] }));
  let torchVersion = '';
  for (let r = 0; r < rounds; r++) {
    for (const [i, row] of rows.entries()) {
      const py = pytorchRound(row, s);
      if (!torchVersion) console.log(`BLAS (PyTorch, objects mapped): ${py.blas.join(' + ')}`);
      torchVersion = py.torch;
      const ours = await sslmemRound(row, s);
      pooled[i].py.push(...py.times_ms);
      pooled[i].ours.push(...ours.times);
      pooled[i].pyCpu.push(py.cpu_per_wall);
      pooled[i].ourCpu.push(ours.cpuPerWall);
      console.log(
        `round ${r + 1} ${row.method.name} ${row.architecture}: PyTorch ${median(py.times_ms).toFixed(1)} ms (CPU/wall ${py.cpu_per_wall}), ` +
          `sslmem ${median(ours.times).toFixed(1)} ms (${ours.cpuPerWall.toFixed(2)})`,
      );
    }
  }
  console.log(`\n| method | architecture | heads | optimizer | PyTorch ${torchVersion} ms | sslmem ms | ratio (goal <= 1.05) | CPU/wall PyTorch, sslmem |`);
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [i, row] of rows.entries()) {
    const theirs = median(pooled[i].py);
    const ours = median(pooled[i].ours);
    const heads = row.method.hasProjector
      ? `proj ${row.projectorDims.join('-')}${row.predictorDims.length ? `, pred ${row.predictorDims.join('-')}` : ''}`
      : Object.entries(row.methodOptions).map(([k, v]) => `${k} ${v}`).join(', ') || 'defaults';
    console.log(
      `| ${row.method.name} | ${row.architecture} | ${heads} | ${row.optimizer.name} | ${theirs.toFixed(1)} | ${ours.toFixed(1)} | ${(ours / theirs).toFixed(3)}${ours / theirs > 1.05 ? ' (miss)' : ''} | ` +
        `${pooled[i].pyCpu.join('/')}, ${pooled[i].ourCpu.map((c) => c.toFixed(2)).join('/')} |`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
