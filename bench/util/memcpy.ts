/**
 * memcpy baseline for the benchmarks: copies a SharedArrayBuffer into another with `threads`
 * worker threads, each copying its own contiguous slice (TypedArray.prototype.set is a memmove).
 * GB/s are counted as bytes of the source per second, like the kernels' input bytes; a copy
 * moves twice that through memory (read + write).
 */
import { Worker } from 'node:worker_threads';

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { src, dst, begin, end } = workerData;
const from = new Uint8Array(src, begin, end - begin), to = new Uint8Array(dst, begin, end - begin);
parentPort.on('message', () => { to.set(from); parentPort.postMessage(0); });
`;

export class ParallelCopy {
  private readonly workers: Worker[] = [];

  constructor(readonly bytes: number, readonly threads: number) {
    const src = new SharedArrayBuffer(bytes), dst = new SharedArrayBuffer(bytes);
    new Uint8Array(src).fill(7);
    const chunk = Math.ceil(bytes / threads / 64) * 64;
    for (let t = 0; t < threads; t++) {
      const begin = Math.min(bytes, t * chunk), end = Math.min(bytes, begin + chunk);
      this.workers.push(new Worker(workerSource, { eval: true, workerData: { src, dst, begin, end } }));
    }
  }

  /** One full copy, all workers at once. */
  copy(): Promise<void> {
    return Promise.all(this.workers.map((w) => new Promise<void>((resolve) => {
      w.once('message', () => resolve());
      w.postMessage(0);
    }))).then(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
