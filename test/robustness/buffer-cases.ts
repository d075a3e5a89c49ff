/**
 * Child process of buffers.test.ts: runs one named case of the buffer contract (README "Buffers
 * during a call") and prints one JSON line. A crash (signal, abort) ends this process, not mocha.
 *
 *   node dist/test/robustness/buffer-cases.js <case>
 */
import { align, augment } from '../../lib';
import type { Uint8Tensor } from '../../lib/tensor';

type Outcome = { equal?: boolean; error?: { name: string; code?: string; message: string } };

const N = 64, H = 32, W = 32, C = 3, VIEWS = 8;
const options = { pipeline: 'simclr-cifar', views: VIEWS, seed: 7 };

function fillImages(data: Uint8Array): void {
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
}

function sameFloats(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** The views of an untouched copy of the same pixels: what any case must reproduce. */
async function reference(): Promise<Float32Array> {
  const data = new Uint8Array(N * H * W * C);
  fillImages(data);
  return (await augment({ data, shape: [N, H, W, C] }, options)).data;
}

/** Transfers (detaches) `buffer` the way a caller posting it to a worker does; returns its new owner. */
function detach(buffer: ArrayBuffer): ArrayBuffer {
  return structuredClone(buffer, { transfer: [buffer] });
}

const cases: Record<string, () => Promise<Outcome>> = {
  async 'detach-input'() {
    // Many images (12 MB), so that the transferred block is mmap'ed and returned to the system
    // when its new owner is collected: a job still reading it would fault.
    const n = 4096, bytes = n * H * W * C;
    const data = new Uint8Array(bytes);
    fillImages(data);
    const job = augment({ data, shape: [n, H, W, C] }, { ...options, views: 1 });
    detach(data.buffer);
    (globalThis as unknown as { gc: () => void }).gc();
    const expected = new Uint8Array(bytes);
    fillImages(expected);
    const views = (await job).data;
    return { equal: sameFloats(views, (await augment({ data: expected, shape: [n, H, W, C] }, { ...options, views: 1 })).data) };
  },
  async 'shrink-resizable-input'() {
    const bytes = N * H * W * C;
    const buffer = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void })(bytes, { maxByteLength: bytes * 4 });
    const data = new Uint8Array(buffer, 0, bytes);
    fillImages(data);
    const job = augment({ data, shape: [N, H, W, C] } as Uint8Tensor, options);
    buffer.resize(0);
    return { equal: sameFloats((await job).data, await reference()) };
  },
  async 'shared-input'() {
    const data = new Uint8Array(new SharedArrayBuffer(N * H * W * C));
    fillImages(data);
    const views = await augment({ data: data as unknown as Uint8Array, shape: [N, H, W, C] }, options);
    const reprs = new Float32Array(new SharedArrayBuffer(4 * 4 * 3 * 5));
    reprs.forEach((_, i) => (reprs[i] = Math.sin(i)));
    const plain = Float32Array.from(reprs);
    const [a, b] = [await align({ data: reprs, shape: [4, 3, 5] }), await align({ data: plain, shape: [4, 3, 5] })];
    const alignEqual = a.mean.every((m, i) => m === b.mean[i]) && a.std.every((s, i) => s === b.std[i]);
    return { equal: sameFloats(views.data, await reference()) && alignEqual };
  },
  async 'detach-out'() {
    // The job holds out's memory: the views land in the buffer's new owner.
    const data = new Uint8Array(N * H * W * C);
    fillImages(data);
    const out = new Float32Array(N * VIEWS * C * H * W);
    const job = augment({ data, shape: [N, H, W, C] }, { ...options, out });
    const moved = new Float32Array(detach(out.buffer));
    await job;
    return { equal: out.length === 0 && sameFloats(moved, await reference()) };
  },
  async 'resizable-out'() {
    const data = new Uint8Array(N * H * W * C);
    fillImages(data);
    const bytes = 4 * N * VIEWS * C * H * W;
    const buffer = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(bytes, { maxByteLength: bytes });
    return augment({ data, shape: [N, H, W, C] }, { ...options, out: new Float32Array(buffer) }).then(
      () => ({ equal: false }),
      (e) => ({ error: { name: e.constructor.name, code: e.code, message: e.message } }),
    );
  },
  async 'shared-out'() {
    const data = new Uint8Array(N * H * W * C);
    fillImages(data);
    const out = new Float32Array(new SharedArrayBuffer(4 * N * VIEWS * C * H * W));
    const result = await augment({ data, shape: [N, H, W, C] }, { ...options, out });
    return { equal: result.data === out && sameFloats(out, await reference()) };
  },
};

async function main(): Promise<void> {
  const name = process.argv[2];
  const run = cases[name];
  if (!run) throw new Error(`unknown case ${name}; known: ${Object.keys(cases).join(', ')}`);
  process.stdout.write(JSON.stringify(await run()) + '\n');
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ error: { name: e.constructor.name, code: e.code, message: e.message } }) + '\n');
});
