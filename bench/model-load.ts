/**
 * What the zip check on load (native/torch/zip_check.h) costs on a large model file: a ResNet-18
 * encoder file (CIFAR stem, 11.2 M parameters, about 45 MB). Three tasks in the same run:
 *   read        fs.readFileSync of the file (the peer: what any load pays);
 *   read+check  Encoder.load of a copy whose last central-directory CRC-32 is wrong: the load reads
 *               the file, checks every entry and stops with ERR_SSLMEM_CORRUPT_FILE before libtorch;
 *   load        Encoder.load of the intact file (read, check, libtorch's parse, building the net).
 * The check's share of a load is (read+check - read) / load.
 *
 *   node dist/bench/model-load.js [--rounds 5]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bench } from 'tinybench';
import { Encoder } from '../lib/encoder';
import { systemInfo } from '../lib/system';
import { arg } from './util/shared';

/** A copy of a zip whose last central-directory entry records a wrong CRC-32 (APPNOTE 4.3.12: CRC at +16). */
function withLastCrcWrong(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  const at = copy.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  if (at < 0) throw new Error('no central directory entry found');
  copy[at + 16] ^= 1;
  return copy;
}

async function main(): Promise<void> {
  const rounds = Number(arg('rounds', '5'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-bench-load-'));
  try {
    const file = path.join(dir, 'resnet18.sslmem');
    const encoder = Encoder.create({ architecture: 'resnet18', inputShape: [3, 32, 32], seed: 1 });
    await encoder.save(file);
    encoder.dispose();
    const bad = path.join(dir, 'resnet18-last-crc-wrong.sslmem');
    fs.writeFileSync(bad, withLastCrcWrong(fs.readFileSync(file)));
    const size = fs.statSync(file).size;
    await Encoder.load(bad).then(
      () => {
        throw new Error('the damaged copy loaded');
      },
      (error: { code?: string }) => {
        if (error.code !== 'ERR_SSLMEM_CORRUPT_FILE') throw error;
      },
    );

    const bench = new Bench({ iterations: rounds, time: 0, warmup: true, warmupIterations: 1, warmupTime: 0 });
    bench.add('read', () => {
      fs.readFileSync(file);
    });
    bench.add('read+check', async () => {
      await Encoder.load(bad).catch(() => undefined);
    });
    bench.add('load', async () => {
      (await Encoder.load(file)).dispose();
    });
    await bench.run();
    const ms = (i: number) => {
      const r = bench.tasks[i].result;
      return r && 'latency' in r ? (r as { latency: { mean: number } }).latency.mean : NaN;
    };
    const [read, checked, load] = [ms(0), ms(1), ms(2)];
    const info = systemInfo();
    console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} hardware threads; kernel SIMD ${info.kernels?.simd ?? '?'}`);
    console.log(`ResNet-18 encoder file: ${(size / 1e6).toFixed(1)} MB; mean of ${rounds} rounds after a warm-up`);
    console.log('| task | ms |\n|---|---|');
    console.log(`| read (fs.readFileSync) | ${read.toFixed(1)} |`);
    console.log(`| read + zip check (Encoder.load stopping at a wrong last CRC) | ${checked.toFixed(1)} |`);
    console.log(`| Encoder.load | ${load.toFixed(1)} |`);
    const check = checked - read;
    console.log(`check: ${check.toFixed(1)} ms (${(size / 1e6 / (check / 1000)).toFixed(0)} MB/s), ${((100 * check) / load).toFixed(0)}% of a load`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
