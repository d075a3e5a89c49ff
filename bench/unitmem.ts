/**
 * UnitMem and layer read-outs, each against a peer in the same run:
 *  1. the UnitMem kernel (native/kernels/unitmem.cc: per-unit view means, exact sums, top value and
 *     point) against NumPy doing the same reduction (mean over views in float64, sum, max, argmax)
 *     on the same float32 [N, V, U] data (bench/unitmem_numpy.py, Debian's /usr/bin/python3);
 *  2. one layer read-out pass returning every layer against running the encoder once per layer
 *     (each pass stopping at its layer: the prefix is recomputed for every layer), torch tier.
 *
 *   node dist/bench/unitmem.js [--points 2048] [--views 16] [--units 512] [--no-torch]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bench } from 'tinybench';
import { kernels } from '../lib/binding';
import { UnitMemAccumulator } from '../lib/unitmem';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const N = flag('--points', 2048);
const V = flag('--views', 16);
const U = flag('--units', 512);
const caps = kernels().capabilities();

async function median(fn: () => Promise<unknown>, time = 1500): Promise<number> {
  const bench = new Bench({ time, iterations: 3, warmupIterations: 1, warmupTime: 0 });
  bench.add('x', fn);
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(String(result.state));
  return result.latency.p50 / 1000;
}

async function kernelVsNumpy(): Promise<void> {
  const data = new Float32Array(N * V * U);
  let s = 7;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = Math.max(0, s / 2147483648 - 1.2);
  }
  const ids = Float64Array.from({ length: N }, (_, i) => i);
  const mb = (data.byteLength / 1e6).toFixed(0);
  console.log(`UnitMem reduction: ${N} points x ${V} views x ${U} units float32 (${mb} MB); ${caps.hardwareThreads} hardware threads, SIMD ${caps.simd}`);
  for (const threads of [...new Set([1, caps.hardwareThreads])]) {
    const seconds = await median(async () => {
      const acc = UnitMemAccumulator.create(U);
      await acc.add({ data, shape: [N, V, U] }, ids, { threads });
    });
    console.log(`  sslmem kernel, ${threads} thread(s): ${(seconds * 1e3).toFixed(1)} ms, ${(N / seconds).toFixed(0)} points/s, ${(data.byteLength / seconds / 1e9).toFixed(2)} GB/s`);
  }
  const file = path.join(os.tmpdir(), `sslmem-unitmem-bench-${process.pid}.f32`);
  fs.writeFileSync(file, Buffer.from(data.buffer));
  try {
    const out = JSON.parse(execFileSync('/usr/bin/python3', [path.join(__dirname, '..', '..', 'bench', 'unitmem_numpy.py'), file, String(N), String(V), String(U), '5'], { encoding: 'utf8' })) as { seconds: number; numpy: string };
    console.log(`  NumPy ${out.numpy} (one thread): ${(out.seconds * 1e3).toFixed(1)} ms, ${(N / out.seconds).toFixed(0)} points/s, ${(data.byteLength / out.seconds / 1e9).toFixed(2)} GB/s`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

async function readoutVsPrefix(): Promise<void> {
  const { Encoder } = await import('../lib/encoder');
  for (const architecture of ['small-cnn', 'resnet9']) {
    const encoder = Encoder.create({ architecture, inputShape: [1, 28, 28], width: architecture === 'resnet9' ? 0.25 : 1, seed: 1 });
    const m = 256;
    const views = { data: new Float32Array(m * 28 * 28).map((_, i) => Math.sin(i)), shape: [m, 1, 28, 28] };
    const layers = encoder.layers;
    const one = await median(() => encoder.embedViewsLayers(views, layers, { batchSize: m }));
    const each = await median(async () => {
      for (const layer of layers) await encoder.embedViewsLayers(views, [layer], { batchSize: m });
    });
    console.log(`  ${architecture} (${layers.length} layers, ${m} views 28x28): one read-out pass ${(one * 1e3).toFixed(0)} ms, one pass per layer ${(each * 1e3).toFixed(0)} ms: ${(each / one).toFixed(2)}x`);
    encoder.dispose();
  }
}

async function main(): Promise<void> {
  await kernelVsNumpy();
  if (!args.includes('--no-torch')) {
    console.log('Layer read-outs (torch tier):');
    await readoutVsPrefix();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
