/**
 * Points scored per second by sslmem's `score()` against two PyTorch peers measured in the same run,
 * on the same TorchScript encoders (bench/make_torchscript_encoder.py: small-cnn on Fashion-MNIST
 * 28x28x1, ResNet-18 with the CIFAR stem on synthetic 32x32x3 images), the same points, pipeline
 * spec and thread count, anchor mode (the clean image and V augmented views per point: V pairs):
 *
 * - `reference_score.py`: batched PyTorch + torchvision, the views of 64 points per forward pass;
 * - `reference_loop.py`: the authors' way, one image at a time at batch size 1, NumPy norms (V = 5).
 *
 * sslmem runs in four configurations, so each step of issue 15 shows what it bought: "plain" (eager
 * forward passes, f then g: the path before issue 15), "graph" (inference graphs), "side by side"
 * (f and g concurrently, each on half the threads) and "both" (the default).
 *
 *   node dist/bench/score.js [--models small-cnn,resnet18] [--views 16,64] [--threads 2] [--write]
 *
 * `--write` replaces the "score" section of bench/RESULTS.md with the tables printed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bench } from 'tinybench';
import { resolvePipeline, withCleanAnchor } from '../lib/augment';
import type { Uint8Tensor } from '../lib/tensor';
import { loadIdx } from '../lib/data';
import { Encoder } from '../lib/encoder';
import { score, ScoreOptions } from '../lib/score';
import { setTorchThreads, systemInfo } from '../lib/system';
import { blasSummary } from '../lib/blas';
import { arg, makeTorchScriptEncoder, writeNpyUint8, writeSection } from './util/shared';

const PYTHON = '/usr/bin/python3';
const ROOT = path.join(__dirname, '..', '..');

interface Model {
  name: string;
  shape: [number, number, number];
  /** Points per V: fewer for the slow ResNet-18 and for many views. */
  points: (views: number) => number;
  images: (n: number) => Promise<Uint8Tensor>;
}

/** Synthetic CIFAR-format images (no colour dataset exists offline): smooth random colour waves. */
function syntheticImages(n: number, h: number, w: number, c: number): Uint8Tensor {
  let state = 12345;
  const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const data = new Uint8Array(n * h * w * c);
  for (let i = 0; i < n; i++) {
    const waves = Array.from({ length: c }, () => [random() * 0.5, random() * 0.5, random() * 6, 60 + 60 * random()]);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
      const [fy, fx, phase, amp] = waves[k];
      data[((i * h + y) * w + x) * c + k] = Math.round(128 + amp * Math.sin(fy * y + fx * x + phase));
    }
  }
  return { data, shape: [n, h, w, c] };
}

const models: Record<string, Model> = {
  'small-cnn': {
    name: 'small-cnn',
    shape: [1, 28, 28],
    points: (v) => (v > 32 ? 64 : 128),
    images: async (n) => {
      const fixture = path.join(ROOT, 'test', 'fixtures', 'fashion-mnist');
      const ds = await loadIdx(path.join(fixture, 'train-1000-images-idx3-ubyte.gz'), path.join(fixture, 'train-1000-labels-idx1-ubyte.gz'));
      return { data: ds.images.data.slice(0, n * 784), shape: [n, 28, 28, 1] };
    },
  },
  resnet18: { name: 'resnet18', shape: [3, 32, 32], points: (v) => (v > 32 ? 8 : 16), images: async (n) => syntheticImages(n, 32, 32, 3) },
};

/** sslmem's configurations: what each step of issue 15 bought. */
const configurations: Array<{ name: string; options: Partial<ScoreOptions> }> = [
  { name: 'plain', options: { graph: false, concurrentEncoders: false } },
  { name: 'graph', options: { graph: true, concurrentEncoders: false } },
  { name: 'side by side', options: { graph: false, concurrentEncoders: true } },
  { name: 'both (default)', options: {} },
];

function python(script: string, args: string[]): { pointsPerSecond: number; blas: string[] } {
  const run = spawnSync(PYTHON, [path.join(ROOT, 'bench', script), ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${script} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const threads = Number(arg('threads', '2'));
  const viewsList = arg('views', '16,64').split(',').map(Number);
  const chosen = arg('models', 'small-cnn,resnet18').split(',');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-bench-score-'));
  setTorchThreads(threads);
  const info = systemInfo();
  const lines: string[] = [];
  lines.push(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} hardware threads; kernels SIMD ${info.kernels.simd}, bf16 in hardware: ${info.kernels.bf16 ? 'yes' : 'no'}; libtorch ${'torchVersion' in info.torch ? info.torch.torchVersion : 'n/a'}; ${threads} threads for every side.`);
  lines.push(`BLAS: sslmem's libtorch ${blasSummary(info.blas)}; the PyTorch peers' is in the BLAS line below the tables.`);
  const pipeline = resolvePipeline('sslmem-scoring');
  lines.push(`Pipeline 'sslmem-scoring' (${JSON.stringify(pipeline.views[pipeline.views.length - 1])}), anchor mode, fp32. Each figure is points/s (mean of tinybench's iterations after a warm-up run, which also builds the inference graphs).`);
  let peerBlas = '';
  try {
    for (const name of chosen) {
      const model = models[name];
      if (!model) throw new Error(`unknown model ${name}: ${Object.keys(models).join(', ')}`);
      const [c, h, w] = model.shape;
      const normalize = { mean: new Array(c).fill(0.5), std: new Array(c).fill(0.5) };
      for (const [encoder, seed] of [['f', 1], ['g', 2]] as const) makeTorchScriptEncoder(path.join(dir, `${name}-${encoder}.pt`), seed, model.shape, name);
      const load = () => Promise.all(['f', 'g'].map((e) => Encoder.loadTorchScript(path.join(dir, `${name}-${e}.pt`), { inputShape: model.shape, normalize })));
      const views = pipeline.views.map((v) => ({ ...v, size: [h, w] as [number, number] }));
      const spec = withCleanAnchor({ ...pipeline, views: views.map((v) => ({ ...v, normalize })) });
      const specFile = path.join(dir, `${name}-pipeline.json`);
      fs.writeFileSync(specFile, JSON.stringify(spec));

      lines.push('', `### ${name} (${c}x${h}x${w}), batched peer`, '');
      lines.push(`| views (pairs) | points | ${configurations.map((k) => `sslmem ${k.name}`).join(' | ')} | PyTorch + torchvision, batched | speed-up (default / batched) | speed-up of the path before issue 15 |`);
      lines.push(`|---:|---:|${configurations.map(() => '---:|').join('')}---:|---:|---:|`);
      for (const v of viewsList) {
        const points = model.points(v);
        const images = await model.images(points);
        const npy = path.join(dir, `${name}-${points}.npy`);
        writeNpyUint8(npy, images.data, images.shape);
        const rates: number[] = [];
        for (const configuration of configurations) {
          // Fresh encoders per configuration: each builds its own graphs in its warm-up run.
          const [f, g] = await load();
          const bench = new Bench({ iterations: 2, time: 0, warmup: true, warmupIterations: 1, warmupTime: 0 });
          bench.add(configuration.name, async () => {
            await score({ f, g, images, views: v, pipeline: { ...pipeline, views }, threads, batchSize: 64, seed: 1, ...configuration.options });
          });
          await bench.run();
          const result = bench.tasks[0].result as { latency?: { mean: number } } | undefined;
          rates.push(points / ((result?.latency?.mean ?? NaN) / 1000));
          f.dispose();
          g.dispose();
        }
        const peer = python('reference_score.py', ['--f', path.join(dir, `${name}-f.pt`), '--g', path.join(dir, `${name}-g.pt`), '--images', npy, '--pipeline', specFile, '--views', String(v), '--threads', String(threads), '--batch', '64', '--repeat', '2']);
        peerBlas = peer.blas.join(' + ');
        const row = `| ${v} (${v}) | ${points} | ${rates.map((r) => r.toFixed(2)).join(' | ')} | ${peer.pointsPerSecond.toFixed(2)} | ${(rates[3] / peer.pointsPerSecond).toFixed(2)}x | ${(rates[0] / peer.pointsPerSecond).toFixed(2)}x |`;
        lines.push(row);
        process.stdout.write(row + '\n');
      }

      // The authors' way: one image at a time, batch size 1, five views.
      const loopViews = 5;
      const loopPoints = model.points(16) / 2;
      const loopImages = await model.images(loopPoints);
      const loopNpy = path.join(dir, `${name}-loop.npy`);
      writeNpyUint8(loopNpy, loopImages.data, loopImages.shape);
      const [f, g] = await load();
      const bench = new Bench({ iterations: 2, time: 0, warmup: true, warmupIterations: 1, warmupTime: 0 });
      bench.add('default', async () => {
        await score({ f, g, images: loopImages, views: loopViews, pipeline: { ...pipeline, views }, threads, batchSize: 64, seed: 1 });
      });
      await bench.run();
      f.dispose();
      g.dispose();
      const ours = loopPoints / (((bench.tasks[0].result as { latency?: { mean: number } } | undefined)?.latency?.mean ?? NaN) / 1000);
      const loop = python('reference_loop.py', ['--f', path.join(dir, `${name}-f.pt`), '--g', path.join(dir, `${name}-g.pt`), '--images', loopNpy, '--pipeline', specFile, '--views', String(loopViews), '--threads', String(threads)]);
      lines.push('', `${name}, the authors' way (reference_loop.py: one image at a time, batch size 1, ${loopViews} views, NumPy norms), ${loopPoints} points: sslmem (default) ${ours.toFixed(2)} points/s, the loop ${loop.pointsPerSecond.toFixed(2)} points/s: **${(ours / loop.pointsPerSecond).toFixed(1)}x**.`);
      process.stdout.write(lines[lines.length - 1] + '\n');
    }
    lines.push('', `BLAS of the PyTorch peers (${PYTHON}, objects mapped): ${peerBlas}.`);
    const text = lines.join('\n') + '\n';
    process.stdout.write('\n' + text);
    const command = `node dist/bench/score.js --models ${chosen.join(',')} --views ${viewsList.join(',')} --threads ${threads} --write`;
    if (process.argv.includes('--write')) writeSection(path.join(ROOT, 'bench', 'RESULTS.md'), 'score', `Command: \`${command}\`\n\n${text}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
