/**
 * memcpy baseline for the benchmarks: `threads` worker threads each copy their own slice of the
 * total bytes between two ordinary ArrayBuffers they own (TypedArray.prototype.set is a plain
 * memmove there; on a SharedArrayBuffer V8 uses a slower relaxed-atomic copy, so shared memory
 * would understate memcpy). GB/s are counted as bytes copied per second, like the kernels' input
 * bytes; a copy moves twice that through memory (read + write).
 */
import { Worker } from 'node:worker_threads';

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const from = new Uint8Array(workerData.bytes).fill(7), to = new Uint8Array(workerData.bytes);
to.set(from); // first touch of every page, outside the timing
parentPort.on('message', () => { to.set(from); parentPort.postMessage(0); });
parentPort.postMessage('ready');
`;

export class ParallelCopy {
  private readonly workers: Worker[] = [];

  private constructor(readonly bytes: number, readonly threads: number) {}

  /** Starts the workers and waits until each has allocated and touched its buffers. */
  static async create(bytes: number, threads: number): Promise<ParallelCopy> {
    const copy = new ParallelCopy(bytes, threads);
    const slice = Math.ceil(bytes / threads / 64) * 64;
    for (let t = 0; t < threads; t++) {
      copy.workers.push(new Worker(workerSource, { eval: true, workerData: { bytes: Math.min(slice, bytes - t * slice) } }));
    }
    await Promise.all(copy.workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
    return copy;
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
