/**
 * One SimCLR training step (small-cnn backbone + 512-512-128 projector, SGD with momentum) through
 * sslmem and through PyTorch in Python (bench/train_step.py, /usr/bin/python3, torch 1.13 like
 * the libtorch sslmem links), same batch and thread count, measured in the same run; and a
 * sslmem step fed by the augmentation kernel vs one fed ready-made views.
 *
 *   node dist/bench/train-step.js [--batch 256] [--threads 2] [--steps 20] [--rounds 2] [--width 1]
 *
 * Per-step times come from the training loop's own progress reports (median over steps after
 * three warm-up steps); Python's from time.perf_counter around the same step.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { blasSummary, systemInfo, train } from '../lib';
import type { TrainOptions } from '../lib';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Step times (ms) of one sslmem training run, warm-up steps dropped, and the process's CPU time
 * over wall time for the whole run (the cores kept busy, spinning BLAS or OpenMP threads included).
 */
async function sslmemStepTimes(
  options: Omit<TrainOptions, 'encoder' | 'method' | 'epochs' | 'seed'>,
  batch: number,
): Promise<{ times: number[]; cpuPerWall: number }> {
  const times: number[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await train({
    ...options,
    encoder: { architecture: 'small-cnn', width: arg('width', 1) },
    method: 'simclr',
    methodOptions: { projectorDims: [512, 128] },
    epochs: 1,
    seed: 0,
    optimizer: { name: 'sgd', lr: 0.06, momentum: 0.9, weightDecay: 5e-4 },
    onProgress: (p) => times.push((1000 * batch) / p.imagesPerSecond),
  });
  result.encoder.dispose();
  const used = process.cpuUsage(cpu);
  return { times: times.slice(3), cpuPerWall: (used.user + used.system) / 1000 / (performance.now() - start) };
}

async function main(): Promise<void> {
  const batch = arg('batch', 256);
  const threads = arg('threads', os.availableParallelism());
  const steps = arg('steps', 20);
  const rounds = arg('rounds', 2);
  const width = arg('width', 1);
  const info = systemInfo();
  console.log(`machine: ${os.cpus()[0].model}, ${os.availableParallelism()} threads; kernels ${JSON.stringify(info.kernels)}`);
  console.log(`BLAS (sslmem's libtorch): ${blasSummary(info.blas)}`);
  console.log(`batch ${batch}, threads ${threads}, ${steps} timed steps, small-cnn width ${width}, 28x28x1`);
  const n = batch * (steps + 3);
  const views = { data: new Float32Array(n * 2 * 784).map(() => Math.random() * 2 - 1), shape: [n, 2, 1, 28, 28] };

  // PyTorch, ready-made and augmented runs alternate round by round, so that a change in machine
  // load does not read as a difference between them; medians pool each kind's steps over the rounds.
  const images = { data: new Uint8Array(n * 784).map(() => Math.floor(Math.random() * 256)), shape: [n, 28, 28, 1] };
  const pyTimes: number[] = [];
  const ready: number[] = [];
  const augmented: number[] = [];
  let torchVersion = '';
  for (let r = 0; r < rounds; r++) {
    const py = spawnSync('/usr/bin/python3', [path.resolve(__dirname, '..', '..', 'bench', 'train_step.py'), String(batch), String(threads), String(steps), String(width)], {
      encoding: 'utf8',
    });
    if (py.status !== 0) throw new Error(py.stderr);
    const round = JSON.parse(py.stdout) as { times_ms: number[]; torch: string; blas: string[]; cpu_per_wall: number };
    if (r === 0) console.log(`BLAS (PyTorch, objects mapped): ${round.blas.join(' + ')}`);
    torchVersion = round.torch;
    pyTimes.push(...round.times_ms);
    const readyRound = await sslmemStepTimes({ views, batchSize: batch, threads }, batch);
    const augmentedRound = await sslmemStepTimes({ images, pipeline: 'grayscale-28', batchSize: batch, threads }, batch);
    ready.push(...readyRound.times);
    augmented.push(...augmentedRound.times);
    console.log(
      `round ${r + 1}: PyTorch ${median(round.times_ms).toFixed(1)} ms (CPU/wall ${round.cpu_per_wall}), ` +
        `sslmem ready-made ${median(readyRound.times).toFixed(1)} ms (${readyRound.cpuPerWall.toFixed(2)}), ` +
        `with augmentation ${median(augmentedRound.times).toFixed(1)} ms (${augmentedRound.cpuPerWall.toFixed(2)})`,
    );
  }
  const theirs = median(pyTimes);
  const ours = median(ready);
  const withAugment = median(augmented);
  console.log(`SimCLR step, ready-made views: sslmem ${ours.toFixed(1)} ms, PyTorch ${torchVersion} ${theirs.toFixed(1)} ms, ratio ${(ours / theirs).toFixed(3)} (goal <= 1.05)`);
  console.log(`SimCLR step with augmentation: ${withAugment.toFixed(1)} ms vs ready-made views ${ours.toFixed(1)} ms, ratio ${(withAugment / ours).toFixed(3)} (goal <= 1.05)`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
