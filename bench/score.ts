/**
 * Points scored per second by sslmem's `score()` at V = 16 and 64 augmented views against the
 * reference PyTorch + torchvision implementation (bench/reference_score.py) measured in the same
 * run: the same TorchScript encoders (small-cnn shape, bench/make_torchscript_encoder.py), the same
 * points, the same pipeline spec, the same thread count, anchor mode: both render V + 1 views per
 * point (the clean anchor and V augmented views) and align V pairs.
 *
 *   node dist/bench/score.js [--points 256] [--threads 2] [--views 16,64] [--write]
 *
 * `--write` replaces the "score" section of bench/RESULTS.md with the table printed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bench } from 'tinybench';
import { resolvePipeline, withCleanAnchor } from '../lib/augment';
import { loadIdx } from '../lib/data';
import { Encoder } from '../lib/encoder';
import { score } from '../lib/score';
import { setTorchThreads, systemInfo } from '../lib/system';
import { blasSummary } from '../lib/blas';

const PYTHON = '/usr/bin/python3';
const ROOT = path.join(__dirname, '..', '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** A minimal .npy (format 1.0) writer for a uint8 array. */
function writeNpyUint8(file: string, data: Uint8Array, shape: number[]): void {
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

async function main(): Promise<void> {
  const points = Number(arg('points', '256'));
  const threads = Number(arg('threads', '2'));
  const viewsList = arg('views', '16,64').split(',').map(Number);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-bench-score-'));
  try {
    const fixture = path.join(ROOT, 'test', 'fixtures', 'fashion-mnist');
    const ds = await loadIdx(path.join(fixture, 'train-1000-images-idx3-ubyte.gz'), path.join(fixture, 'train-1000-labels-idx1-ubyte.gz'));
    const [, h, w, c] = ds.images.shape;
    const images = { data: ds.images.data.slice(0, points * h * w * c), shape: [points, h, w, c] };
    const npy = path.join(dir, 'images.npy');
    writeNpyUint8(npy, images.data, images.shape);
    for (const [name, seed] of [['f', 1], ['g', 2]] as const) {
      const made = spawnSync(PYTHON, [path.join(ROOT, 'bench', 'make_torchscript_encoder.py'), path.join(dir, `${name}.pt`), String(seed), String(c), String(h), String(w)], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`making the TorchScript encoder failed: ${made.stderr}`);
    }
    setTorchThreads(threads);
    const normalize = { mean: [0.5], std: [0.5] };
    const f = await Encoder.loadTorchScript(path.join(dir, 'f.pt'), { inputShape: [c, h, w], normalize });
    const g = await Encoder.loadTorchScript(path.join(dir, 'g.pt'), { inputShape: [c, h, w], normalize });
    const pipeline = resolvePipeline('sslmem-scoring');
    const applied = withCleanAnchor({ ...pipeline, views: pipeline.views.map((v) => ({ ...v, size: [h, w] as [number, number], normalize })) });
    const specFile = path.join(dir, 'pipeline.json');
    fs.writeFileSync(specFile, JSON.stringify(applied));

    const info = systemInfo();
    const lines: string[] = [];
    lines.push(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} hardware threads; kernels SIMD ${info.kernels.simd}; libtorch ${'torchVersion' in info.torch ? info.torch.torchVersion : 'n/a'}.`);
    lines.push(`BLAS: sslmem's libtorch ${blasSummary(info.blas)}; the PyTorch reference's is in the BLAS line below the table.`);
    lines.push(`Workload: ${points} Fashion-MNIST points (28x28x1), anchor mode (the clean image and V augmented views per point: V pairs), pipeline 'sslmem-scoring' (${JSON.stringify(pipeline.views[pipeline.views.length - 1])}), two TorchScript small-CNN encoders (conv-flatten-512), ${threads} threads for both.`);
    lines.push('');
    lines.push('| augmented views (pairs) | sslmem points/s | PyTorch + torchvision points/s | speed-up | forward passes alone, points/s | forward share of sslmem time |');
    lines.push('|---:|---:|---:|---:|---:|---:|');
    let referenceBlas = '';
    for (const views of viewsList) {
      const bench = new Bench({ iterations: 3, time: 0, warmup: true, warmupIterations: 1, warmupTime: 0 });
      bench.add(`sslmem V=${views}`, async () => {
        await score({ f, g, images, views, pipeline: { ...pipeline, views: pipeline.views.map((v) => ({ ...v, size: [h, w] as [number, number] })) }, threads, batchSize: 64, seed: 1 });
      });
      // The floor both implementations share: V + 1 views per point (the clean anchor and V
      // augmented views) through f and g (clean copies, same batch of 64 points), no augmentation
      // and no alignment.
      const rendered = views + 1;
      const stacked = new Uint8Array(images.data.length * rendered);
      for (let v = 0; v < rendered; v++) stacked.set(images.data, v * images.data.length);
      const copies = { data: stacked, shape: [points * rendered, h, w, c] };
      bench.add(`forward only V=${views}`, async () => {
        await f.embed(copies, { batchSize: 64 * rendered });
        await g.embed(copies, { batchSize: 64 * rendered });
      });
      await bench.run();
      const latency = (i: number) => {
        const r = bench.tasks[i].result;
        return r && 'latency' in r ? (r as { latency: { mean: number } }).latency.mean : NaN;
      };
      const ms = latency(0);
      const forwardMs = latency(1);
      const ours = points / (ms / 1000);
      const ref = spawnSync(PYTHON, [path.join(ROOT, 'bench', 'reference_score.py'), '--f', path.join(dir, 'f.pt'), '--g', path.join(dir, 'g.pt'), '--images', npy, '--pipeline', specFile, '--views', String(views), '--threads', String(threads), '--batch', '64', '--repeat', '2'], { encoding: 'utf8' });
      if (ref.status !== 0) throw new Error(`the PyTorch reference failed: ${ref.stderr}`);
      const reference = JSON.parse(ref.stdout.trim().split('\n').pop()!) as { pointsPerSecond: number; blas: string[] };
      const theirs = reference.pointsPerSecond;
      referenceBlas = reference.blas.join(' + ');
      lines.push(`| ${views} (${views}) | ${ours.toFixed(1)} | ${theirs.toFixed(1)} | ${(ours / theirs).toFixed(2)}x | ${(points / (forwardMs / 1000)).toFixed(1)} | ${((100 * forwardMs) / ms).toFixed(0)}% |`);
      process.stdout.write(lines[lines.length - 1] + '\n');
    }
    lines.push('', `BLAS of the PyTorch reference (${PYTHON}, objects mapped): ${referenceBlas}.`);
    f.dispose();
    g.dispose();
    const text = lines.join('\n') + '\n';
    process.stdout.write('\n' + text);
    if (process.argv.includes('--write')) writeSection(path.join(ROOT, 'bench', 'RESULTS.md'), 'score', `Command: \`node dist/bench/score.js --points ${points} --threads ${threads} --write\`\n\n${text}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Replaces (or appends) the "## NAME" section of a markdown file. */
function writeSection(file: string, name: string, body: string): void {
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  const heading = `## ${name}\n`;
  const start = old.indexOf(heading);
  let updated: string;
  if (start < 0) updated = old.replace(/\n*$/, '\n\n') + heading + '\n' + body;
  else {
    const next = old.indexOf('\n## ', start + heading.length);
    updated = old.slice(0, start) + heading + '\n' + body + (next >= 0 ? old.slice(next) : '');
  }
  fs.writeFileSync(file, updated);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
