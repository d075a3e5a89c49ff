/**
 * What the buffer contract costs (issue 16, README "Buffers during a call"), on the align and
 * augment workloads, in one run: the same call on the same bytes over
 *   - an ordinary ArrayBuffer: the job holds its V8 BackingStore (zero-copy; the contract's path),
 *   - a SharedArrayBuffer: held the same way,
 *   - a resizable ArrayBuffer: copied before the job (the "copy everything" candidate),
 * and for augment with `out` over an ordinary buffer (held). Rejecting resizable and shared buffers
 * up front, the third candidate, costs one flag test: the ordinary row is its cost. Ratios are
 * against the ordinary buffer; CPU time per call of the whole process, median of tinybench runs.
 *
 *   node dist/bench/buffers.js [--mb 64] [--images 4096]
 */
import * as os from 'node:os';
import { Bench } from 'tinybench';
import { align } from '../lib/align';
import { augment } from '../lib/augment';
import { kernels } from '../lib/binding';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const mb = option('--mb', 64);
const images = option('--images', 4096);

type Kind = 'ordinary' | 'shared' | 'resizable';

function buffer(kind: Kind, bytes: number): ArrayBufferLike {
  if (kind === 'shared') return new SharedArrayBuffer(bytes);
  if (kind === 'resizable') return new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(bytes, { maxByteLength: bytes });
  return new ArrayBuffer(bytes);
}

/** CPU milliseconds per call (whole process) and wall milliseconds (median). */
async function measure(fn: () => Promise<unknown>): Promise<{ cpuMs: number; wallMs: number }> {
  let cpu = 0, calls = 0;
  const bench = new Bench({ time: 1000, iterations: 5, warmupIterations: 1, warmupTime: 0 });
  bench.add('task', async () => {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    cpu += used.user + used.system;
    calls++;
  });
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`bench task ${result.state}`);
  return { cpuMs: cpu / calls / 1000, wallMs: result.latency.p50 };
}

async function main(): Promise<void> {
  const caps = kernels().capabilities();
  console.log(`buffers bench: align on ${mb} MB float32 [N, 16, 128] (anchor, l2-normalized, 1 thread); augment of ${images} 32x32x3 images, ` +
    `SimCLR, 1 view, 1 thread\nCPU: ${os.cpus()[0]?.model ?? 'unknown'}; SIMD ${caps.simd}; hardware threads ${caps.hardwareThreads}; node ${process.version}\n`);
  console.log('| workload | buffer | CPU ms/call | wall ms/call | CPU vs ordinary |');
  console.log('|---|---|---|---|---|');
  const alignBytes = Math.floor((mb * 1024 * 1024) / (16 * 128 * 4)) * 16 * 128 * 4;
  const pixels = images * 32 * 32 * 3;
  const rows: Array<[string, Kind | 'ordinary + out', () => Promise<unknown>]> = [];
  for (const kind of ['ordinary', 'shared', 'resizable'] as Kind[]) {
    const reprs = new Float32Array(buffer(kind, alignBytes));
    reprs.forEach((_, i) => (reprs[i] = Math.sin(i)));
    rows.push(['align', kind, () => align({ data: reprs, shape: [reprs.length / (16 * 128), 16, 128] }, { threads: 1 })]);
  }
  for (const kind of ['ordinary', 'shared', 'resizable'] as Kind[]) {
    const data = new Uint8Array(buffer(kind, pixels));
    data.forEach((_, i) => (data[i] = (i * 2654435761) >>> 24));
    rows.push(['augment', kind, () => augment({ data, shape: [images, 32, 32, 3] }, { pipeline: 'simclr-cifar', views: 1, seed: 1, threads: 1 })]);
  }
  const data = new Uint8Array(pixels).fill(77);
  const out = new Float32Array(images * 3 * 32 * 32);
  rows.push(['augment', 'ordinary + out', () => augment({ data, shape: [images, 32, 32, 3] }, { pipeline: 'simclr-cifar', views: 1, seed: 1, threads: 1, out })]);
  const base: Record<string, number> = {};
  for (const [workload, kind, fn] of rows) {
    const { cpuMs, wallMs } = await measure(fn);
    if (kind === 'ordinary') base[workload] = cpuMs;
    console.log(`| ${workload} | ${kind} | ${cpuMs.toFixed(1)} | ${wallMs.toFixed(1)} | ${(cpuMs / base[workload]).toFixed(2)} |`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
