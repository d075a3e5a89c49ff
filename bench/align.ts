/**
 * Alignment kernels' throughput (GB/s of input) out of cache, next to peers measured in the same
 * run on the same data and thread counts: a memcpy of the same bytes (worker threads), the kernel
 * tier's native read-only scan (findNonFinite), and PyTorch's F.cosine_similarity and torch.cdist
 * (bench/align_torch.py, Debian's /usr/bin/python3). Anchor pairing, V = 16 views, D = 128, 512,
 * 2048, 256 MB of float32 input (far beyond the L3 cache).
 *
 *   node dist/bench/align.js [--mb 256] [--no-torch]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bench } from 'tinybench';
import { align, alignBackends, AlignMetric } from '../lib/align';
import { kernels } from '../lib/binding';
import { ParallelCopy } from './util/memcpy';

const args = process.argv.slice(2);
const mb = args.includes('--mb') ? Number(args[args.indexOf('--mb') + 1]) : 256;
const withTorch = !args.includes('--no-torch');
const VIEWS = 16;
const DIMS = [128, 512, 2048];
const bytes = mb * 1024 * 1024;
const caps = kernels().capabilities();
const threadCounts = [...new Set([1, caps.hardwareThreads])];

/** Uniform values in [-1, 1) from a fast LCG: content does not matter, bandwidth does. */
function fill(data: Float32Array): void {
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2147483648 - 1;
  }
}

/**
 * One measurement. `gbps`: input bytes per wall-clock second (median run). `gbPerCpuSecond`: input
 * bytes per second of CPU time used by the whole process (all its threads), which a shared,
 * oversubscribed machine disturbs far less than wall time (descheduled time is not counted).
 */
interface Row {
  dims: number;
  threads: number;
  name: string;
  gbps: number;
  gbPerCpuSecond: number;
}

async function measure(name: string, dims: number, threads: number, fn: () => Promise<unknown> | unknown, rows: Row[]): Promise<void> {
  let cpuMicros = 0, calls = 0;
  const timed = async () => {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    cpuMicros += used.user + used.system;
    calls++;
  };
  const bench = new Bench({ time: 400, iterations: 5, warmupIterations: 1, warmupTime: 0 });
  bench.add(name, timed);
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`${name}: ${result.state}`);
  rows.push({ dims, threads, name, gbps: bytes / (result.latency.p50 / 1000) / 1e9, gbPerCpuSecond: (bytes * calls) / cpuMicros / 1e3 });
}

function torchRows(file: string): Row[] {
  const out = execFileSync('/usr/bin/python3', [
    path.join(__dirname, '..', '..', 'bench', 'align_torch.py'), file, String(VIEWS), DIMS.join(','), threadCounts.join(','), '3',
  ], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return out.trim().split('\n').map((line) => {
    const r = JSON.parse(line) as { fn: string; dims: number; threads: number; gbps: number; gb_per_cpu_second: number; torch: string };
    return { dims: r.dims, threads: r.threads, name: `torch ${r.torch} ${r.fn}`, gbps: r.gbps, gbPerCpuSecond: r.gb_per_cpu_second };
  });
}

async function main(): Promise<void> {
  const data = new Float32Array(bytes / 4);
  fill(data);
  console.log(`align bench: ${mb} MB float32 input, anchor pairing, V = ${VIEWS}`);
  console.log(`CPU: ${os.cpus()[0]?.model ?? 'unknown'}; SIMD ${caps.simd} (align backend ${alignBackends().selected}); ` +
    `hardware threads ${caps.hardwareThreads}; node ${process.version}`);
  const rows: Row[] = [];
  for (const threads of threadCounts) {
    const copy = await ParallelCopy.create(bytes, threads);
    await measure('memcpy', 0, threads, () => copy.copy(), rows);
    await copy.close();
    await measure('native scan (findNonFinite)', 0, threads, () => kernels().findNonFinite(data, threads), rows);
    for (const dims of DIMS) {
      const reprs = { data: data.subarray(0, Math.floor(data.length / (VIEWS * dims)) * VIEWS * dims), shape: [0, VIEWS, dims] };
      reprs.shape[0] = reprs.data.length / (VIEWS * dims);
      for (const metric of ['l2-normalized', 'cosine-similarity', 'l2'] as AlignMetric[]) {
        await measure(`sslmem ${metric}`, dims, threads, () => align(reprs, { metric, threads }), rows);
      }
    }
  }
  if (withTorch) {
    const file = path.join(os.tmpdir(), `sslmem-align-bench-${process.pid}.f32`);
    fs.writeFileSync(file, Buffer.from(data.buffer, 0, data.byteLength));
    try {
      rows.push(...torchRows(file));
    } finally {
      fs.rmSync(file, { force: true });
    }
  }
  report(rows);
}

function report(rows: Row[]): void {
  const find = (name: string, dims: number, threads: number) =>
    rows.find((r) => r.name.endsWith(name) && (r.dims === dims || r.dims === 0) && r.threads === threads);
  const cell = (r: Row | undefined) => (r ? `${r.gbps.toFixed(2)} (${r.gbPerCpuSecond.toFixed(2)})` : 'n/a');
  const ratio = (a: Row | undefined, b: Row | undefined, key: 'gbps' | 'gbPerCpuSecond') =>
    a && b ? (a[key] / b[key]).toFixed(a[key] / b[key] < 10 ? 2 : 0) : 'n/a';
  const both = (a: Row | undefined, b: Row | undefined) => `${ratio(a, b, 'gbps')} (${ratio(a, b, 'gbPerCpuSecond')})`;
  console.log('\nGB/s of input per wall-clock second (in parentheses: per CPU-second of the whole process)\n');
  console.log('| threads | D | l2-normalized | cosine-similarity | l2 | memcpy | native scan | torch cosine_similarity | torch cdist | l2-normalized / memcpy | cosine vs torch | l2 vs cdist |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const threads of threadCounts) {
    for (const dims of DIMS) {
      const l2n = find('sslmem l2-normalized', dims, threads), cos = find('sslmem cosine-similarity', dims, threads);
      const l2 = find('sslmem l2', dims, threads), copy = find('memcpy', 0, threads), scan = find('native scan (findNonFinite)', 0, threads);
      const tcos = find('F.cosine_similarity', dims, threads), tcdist = find('torch.cdist', dims, threads);
      console.log(`| ${threads} | ${dims} | ${cell(l2n)} | ${cell(cos)} | ${cell(l2)} | ${cell(copy)} | ${cell(scan)} | ${cell(tcos)} | ${cell(tcdist)} | ` +
        `${both(l2n, copy)} | ${both(cos, tcos)} | ${both(l2, tcdist)} |`);
    }
  }
  console.log('\nsslmem: median of >= 5 runs (tinybench); torch: median of 3. memcpy counts bytes copied (it reads and writes them).');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
