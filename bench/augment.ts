/**
 * Augmentation throughput (images/s) of the SimCLR CIFAR pipeline (crop, flip 0.5, ColorJitter
 * 0.4/0.4/0.4/0.1 at p = 0.8, grayscale 0.2) at 32x32x3 and 28x28x1, on 1 thread and on all
 * threads, next to peers measured in the same run:
 * - torchvision 0.14's PIL path and tensor path on the same pipeline and image size, one image at a
 *   time as a Dataset does, with as many worker processes as threads (bench/augment_torchvision.py);
 * - a memcpy of the bytes the kernel moves (uint8 input + float32 output), with the same threads.
 *
 *   node dist/bench/augment.js [--images 8192] [--tv-images 1000] [--no-torchvision]
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bench } from 'tinybench';
import { augment, augmentBackend, PipelineSpec } from '../lib/augment';
import { kernels } from '../lib/binding';
import type { Uint8Tensor } from '../lib/tensor';
import { ParallelCopy } from './util/memcpy';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const IMAGES = option('--images', 8192);
const TV_IMAGES = option('--tv-images', 1000);
const withTorchvision = !args.includes('--no-torchvision');
const caps = kernels().capabilities();
const threadCounts = [...new Set([1, caps.hardwareThreads])];
const SHAPES: Array<[number, number, number]> = [[32, 32, 3], [28, 28, 1]];

function simclr(size: number): PipelineSpec {
  return {
    name: `simclr-${size}`,
    views: [{
      size,
      crop: { scale: [0.08, 1], ratio: [3 / 4, 4 / 3] },
      flip: 0.5,
      colorJitter: { p: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 },
      grayscale: 0.2,
    }],
  };
}

function randomImages(n: number, h: number, w: number, c: number): Uint8Tensor {
  const data = new Uint8Array(n * h * w * c);
  let s = 99;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { data, shape: [n, h, w, c] };
}

/** Median seconds of one call. */
async function median(fn: () => Promise<unknown>): Promise<number> {
  const bench = new Bench({ time: 1000, iterations: 5, warmupIterations: 1, warmupTime: 0 });
  bench.add('task', fn);
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`bench task ${result.state}`);
  return result.latency.p50 / 1000;
}

interface Peer {
  pil: number;
  tensor: number;
}

function torchvisionPeer(h: number, w: number, c: number, threads: number): Peer | undefined {
  if (!withTorchvision) return undefined;
  const script = path.join(__dirname, '..', '..', 'bench', 'augment_torchvision.py');
  const out = execFileSync('/usr/bin/python3', [script, String(h), String(w), String(c), String(TV_IMAGES), String(threads), '3'], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const rows = out.trim().split('\n').map((line) => JSON.parse(line) as { path: string; images_per_second: number });
  return {
    pil: rows.find((r) => r.path === 'pil')!.images_per_second,
    tensor: rows.find((r) => r.path === 'tensor')!.images_per_second,
  };
}

async function main(): Promise<void> {
  console.log(`augment bench: SimCLR pipeline, ${IMAGES} images per call, 1 view each`);
  console.log(`CPU: ${os.cpus()[0]?.model ?? 'unknown'}; SIMD ${caps.simd} (avx2 ${caps.avx2}, avx512 ${caps.avx512}); ` +
    `hardware threads ${caps.hardwareThreads}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; node ${process.version}`);
  const lines: string[] = [];
  for (const [h, w, c] of SHAPES) {
    const images = randomImages(IMAGES, h, w, c);
    const out = new Float32Array(IMAGES * c * h * w);
    const bytes = images.data.byteLength + out.byteLength;
    for (const threads of threadCounts) {
      const run = () => augment(images, { pipeline: simclr(h), views: 1, seed: 1, threads, out });
      const seconds = await median(run);
      // CPU time per image (all threads of this process), less sensitive than wall time to other
      // jobs on a shared machine.
      const cpu0 = process.cpuUsage();
      for (let r = 0; r < 3; r++) await run();
      const cpu = process.cpuUsage(cpu0);
      const cpuMicros = (cpu.user + cpu.system) / (3 * IMAGES);
      const copy = await ParallelCopy.create(bytes, threads);
      const copySeconds = await median(() => copy.copy());
      await copy.close();
      const peer = torchvisionPeer(h, w, c, threads);
      const ours = IMAGES / seconds;
      const ratio = (x?: number) => (x ? `${(ours / x).toFixed(0)}x` : 'n/a');
      const rate = (x?: number) => (x ? x.toFixed(0) : 'n/a');
      const gbps = bytes / seconds / 1e9, copyGbps = bytes / copySeconds / 1e9;
      lines.push(`| ${h}x${w}x${c} | ${threads} | ${ours.toFixed(0)} | ${(ours / threads).toFixed(0)} | ${cpuMicros.toFixed(1)} | ${rate(peer?.pil)} | ${rate(peer?.tensor)} | ` +
        `${ratio(peer?.pil)} | ${ratio(peer?.tensor)} | ${gbps.toFixed(2)} | ${copyGbps.toFixed(2)} | ${((100 * gbps) / copyGbps).toFixed(1)}% |`);
      console.log(lines[lines.length - 1]);
    }
  }
  console.log('\n| input | threads | sslmem img/s | sslmem img/s per thread | sslmem CPU us/img | torchvision PIL img/s | torchvision tensor img/s | vs PIL | vs tensor | sslmem GB/s (in + out) | memcpy GB/s (same bytes) | of memcpy |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const line of lines) console.log(line);
  console.log(`\nSIMD backend: ${augmentBackend()}. Medians of >= 5 calls. CPU us/img: process CPU time per image over 3 more calls. GB/s: uint8 input + float32 output bytes per second; memcpy copies that many bytes.`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
