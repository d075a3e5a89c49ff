/**
 * The seeded fuzzer's child process (fuzz.test.ts runs it): random calls over every public entry
 * of lib/index.ts for SSLMEM_FUZZ_SECONDS (default 40) from seed SSLMEM_FUZZ_SEED (default: drawn
 * and printed). Arguments are wrong types, random shapes, sizes at and past the limits, NaN/Inf,
 * detached, resizable and shared buffers, aborted signals and disposed encoders, mixed into calls
 * that are otherwise valid so that the checks deep inside are reached too.
 *
 * A call may resolve, or reject with a TypeError, RangeError, AbortError or an error whose code is
 * ERR_SSLMEM_*; anything else prints {"failure": ...} with the seed and the call and exits 1. A
 * crash ends the process with a signal, which the parent reports. Replay one run with
 *   SSLMEM_FUZZ_SEED=<seed> SSLMEM_FUZZ_SECONDS=<s> node dist/test/robustness/fuzz-child.js
 */
import { writeFileSync } from 'node:fs';
import * as sslmem from '../../lib';
import { mulberry32 } from '../support/mulberry32';

type Rng = () => number;
type Entry = { name: string; call: (r: Rng) => Promise<unknown> | unknown };

/**
 * Public functions left out, each for a reason: they read or write files (robust-files' fuzzing and
 * corrupt-file tests cover those), train or score at full length (seconds per valid call), or
 * change process-wide state.
 */
const EXCLUDED: Record<string, string> = {
  train: 'trains (seconds per valid call); its options are checked by test/train',
  runExperiment: 'trains', crossfitScores: 'trains', removalExperiment: 'trains', evaluateEncoder: 'trains probes over whole datasets',
  score: 'scores at full length', scoreManifest: 'scores at full length', scoreManifestInSegments: 'scores at full length and writes its records', typicality: 'embeds whole datasets',
  setTorchThreads: 'process-wide thread count', distributedCheck: 'joins a process group (network)',
  withCallSite: 'awaits whatever promise it is given',
};
const FILES = /^(load|read|write|open)|^(parseIdx|parseNpy)$/;

const LIMITS = [0, 1, 2, 3, -1, 0.5, NaN, Infinity, -Infinity, 1e6, 1e6 + 1, 16384, 16385, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53, 2 ** 64, -0];
const KEYS = ['views', 'seed', 'epoch', 'pipeline', 'threads', 'out', 'signal', 'itemIds', 'itemOffset', 'batchSize', 'metric', 'pairing', 'returnPairs',
  'checkFinite', 'k', 'classes', 'labels', 'features', 'images', 'encoder', 'groups', 'size', 'temperature', 'architecture', 'inputShape', 'width',
  'mean', 'std', 'lambda', 'fdr', 'topK', 'n', 'dataset', 'split', 'excludeSelf', 'classConditional', 'm', 'bins', 'trainFeatures', 'trainLabels',
  'testFeatures', 'testLabels', 'bank', 'queries', 'settings', 'description'];

const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)];
const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

type ArrayCtor = new (b: ArrayBufferLike, o?: number, l?: number) => ArrayLike<number> & { length: number; [i: number]: number };
const TYPES: Array<[ArrayCtor, number]> = [[Uint8Array, 1], [Float32Array, 4], [Float64Array, 8], [Int32Array, 4], [Uint16Array, 2], [Uint32Array, 4]];

/** A typed array of `ctor` with `length` elements over an ordinary, shared, resizable or detached buffer. */
function typedArray(r: Rng, ctor: ArrayCtor, bytes: number, length: number): unknown {
  const kind = r();
  let buffer: ArrayBufferLike;
  if (kind < 0.6) buffer = new ArrayBuffer(length * bytes);
  else if (kind < 0.75) buffer = new SharedArrayBuffer(length * bytes);
  else if (kind < 0.9) buffer = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(length * bytes, { maxByteLength: length * bytes * 2 + 8 });
  else {
    buffer = new ArrayBuffer(length * bytes);
    structuredClone(buffer, { transfer: [buffer as ArrayBuffer] });
    return new ctor(buffer);
  }
  const array = new ctor(buffer);
  const special = [NaN, Infinity, -Infinity, 0, 255, 1e30];
  for (let i = 0; i < array.length; i++) array[i] = r() < 0.02 ? pick(r, special) : bytes === 1 ? int(r, 0, 255) : r() * 2 - 1;
  return array;
}

function shapeFor(r: Rng, rank: number): number[] {
  return Array.from({ length: rank }, () => (r() < 0.1 ? pick(r, LIMITS) : int(r, 0, 6)));
}

/** {data, shape} whose data usually matches the shape (so the call gets past the first checks). */
function tensor(r: Rng, ctor: ArrayCtor = Uint8Array, bytes = 1, rank = int(r, 0, 5)): unknown {
  const shape = shapeFor(r, rank);
  const n = shape.reduce((a, b) => a * b, 1);
  const length = Number.isInteger(n) && n >= 0 && n <= 65536 && r() < 0.9 ? n : int(r, 0, 64);
  return { data: typedArray(r, ctor, bytes, length), shape };
}

function images(r: Rng, side = pick(r, [1, 2, 8, 28, 32]), c = pick(r, [1, 3])): { data: Uint8Array; shape: number[] } {
  const n = int(r, 0, 3);
  return { data: typedArray(r, Uint8Array, 1, n * side * side * c) as Uint8Array, shape: [n, side, side, c] };
}

function signal(r: Rng): AbortSignal {
  const controller = new AbortController();
  if (r() < 0.5) controller.abort();
  else setTimeout(() => controller.abort(), int(r, 0, 5));
  return controller.signal;
}

function anyValue(r: Rng, depth = 0): unknown {
  const k = r();
  if (k < 0.25) return pick(r, LIMITS);
  if (k < 0.3) return pick(r, [undefined, null, true, false, '', 'simclr-cifar', 'l2', 'all-pairs', 'resnet18', '__proto__', Symbol('x'), 10n]);
  if (k < 0.45) {
    const [ctor, bytes] = pick(r, TYPES);
    return typedArray(r, ctor, bytes, int(r, 0, 16));
  }
  if (k < 0.6) {
    const [ctor, bytes] = pick(r, TYPES);
    return tensor(r, ctor, bytes);
  }
  if (k < 0.65) return signal(r);
  if (k < 0.7) return () => undefined;
  if (depth > 2) return {};
  if (k < 0.8) return Array.from({ length: int(r, 0, 4) }, () => anyValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = int(r, 0, 4); i > 0; i--) o[pick(r, KEYS)] = anyValue(r, depth + 1);
  return o;
}

/** `valid` with, half the time, one argument or one option replaced by anything. */
function mutate(r: Rng, valid: unknown[]): unknown[] {
  const args = [...valid];
  if (r() < 0.5) return args;
  const i = int(r, 0, args.length - 1);
  const target = args[i];
  if (target && typeof target === 'object' && !ArrayBuffer.isView(target) && !Array.isArray(target) && r() < 0.7) {
    args[i] = { ...(target as object), [pick(r, [...Object.keys(target as object), ...KEYS])]: anyValue(r) };
  } else args[i] = anyValue(r);
  return args;
}

function reprs(r: Rng): unknown {
  return r() < 0.8 ? tensor(r, Float32Array, 4, 3) : tensor(r, Uint16Array, 2, 3);
}

const kernelEntries: Entry[] = [
  { name: 'augment', call: (r) => sslmem.augment(...(mutate(r, [images(r), { pipeline: pick(r, sslmem.presetNames), views: r() < 0.2 ? pick(r, LIMITS) : int(r, 1, 3), seed: int(r, 0, 9), signal: r() < 0.2 ? signal(r) : undefined }]) as [never, never])) },
  { name: 'sampleParams', call: (r) => sslmem.sampleParams(...(mutate(r, [images(r), { pipeline: pick(r, sslmem.presetNames), views: int(r, 1, 3), seed: 1 }]) as [never, never])) },
  {
    name: 'applyParams',
    call: async (r) => {
      const img = images(r, 32, 3);
      const params = img.shape[0] > 0 && r() < 0.5 ? await sslmem.sampleParams(img, { pipeline: 'simclr-cifar', views: 2, seed: 3 }).catch(() => []) : [];
      if (params.length > 0 && r() < 0.3) (params[0][0] as { size: unknown }).size = [pick(r, LIMITS), pick(r, LIMITS)];
      return sslmem.applyParams(...(mutate(r, [img, params, { threads: int(r, 0, 2) }]) as [never, never, never]));
    },
  },
  { name: 'augmentMultiCrop', call: (r) => sslmem.augmentMultiCrop(...(mutate(r, [images(r, 32, 3), { groups: r() < 0.7 ? 'dino-32' : anyValue(r), seed: 2 }]) as [never, never])) },
  { name: 'sampleMultiCropParams', call: (r) => sslmem.sampleMultiCropParams(...(mutate(r, [images(r, 32, 3), { groups: 'dino-32', seed: 2 }]) as [never, never])) },
  { name: 'align', call: (r) => sslmem.align(...(mutate(r, [reprs(r), { metric: pick(r, sslmem.alignMetrics), pairing: pick(r, sslmem.pairings), returnPairs: r() < 0.5 }]) as [never, never])) },
  {
    name: 'alignDifference',
    call: (r) => {
      const f = reprs(r) as { data: ArrayLike<number>; shape: number[] };
      const g = r() < 0.7 ? { data: f.data.constructor === Float32Array ? Float32Array.from(f.data) : f.data, shape: f.shape } : reprs(r);
      return sslmem.alignDifference(...(mutate(r, [f, g, { pairing: pick(r, sslmem.pairings), returnPairs: r() < 0.5 }]) as [never, never, never]));
    },
  },
];

/** Torch-tier entries, with live, disposed and foreign encoders. */
function torchEntries(): Entry[] {
  const encoder = (r: Rng) => sslmem.Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], seed: int(r, 0, 3) });
  const features = (r: Rng) => tensor(r, Float32Array, 4, 2);
  const labels = (r: Rng, n: number) => typedArray(r, Int32Array, 4, n);
  return [
    { name: 'Encoder.create', call: (r) => sslmem.Encoder.create(...(mutate(r, [{ architecture: pick(r, ['small-cnn', 'pooled-cnn']), inputShape: [pick(r, [1, 3]), 28, 28], seed: 1 }]) as [never])).dispose() },
    {
      name: 'Encoder.embed',
      call: async (r) => {
        const e = encoder(r);
        if (r() < 0.3) e.dispose();
        try {
          return await e.embed(...(mutate(r, [images(r, 28, 1), { batchSize: int(r, 1, 4) }]) as [never, never]));
        } finally {
          e.dispose();
        }
      },
    },
    {
      name: 'Encoder.embedViews',
      call: async (r) => {
        const e = encoder(r);
        if (r() < 0.3) e.dispose();
        try {
          return await e.embedViews(...(mutate(r, [tensor(r, Float32Array, 4, 4), {}]) as [never, never]));
        } finally {
          e.dispose();
        }
      },
    },
    { name: 'knnAccuracy', call: (r) => { const f = features(r) as { shape: number[] }; return sslmem.knnAccuracy(...(mutate(r, [{ features: f, labels: labels(r, Number(f.shape[0]) || 0) }, { features: f, labels: labels(r, Number(f.shape[0]) || 0) }, { k: int(r, 1, 3) }]) as [never, never, never])); } },
    { name: 'nearestNeighbours', call: (r) => sslmem.nearestNeighbours(...(mutate(r, [features(r), features(r), { k: int(r, 1, 3) }]) as [never, never, never])) },
    { name: 'knnClassify', call: (r) => { const f = features(r) as { shape: number[] }; return sslmem.knnClassify(...(mutate(r, [{ trainFeatures: f, trainLabels: labels(r, Number(f.shape[0]) || 0), testFeatures: f, k: 1, classes: 2 }]) as [never])); } },
    { name: 'linearProbe', call: (r) => { const f = features(r) as { shape: number[] }; return sslmem.linearProbe(...(mutate(r, [{ trainFeatures: f, trainLabels: labels(r, Number(f.shape[0]) || 0), classes: 2, maxIterations: 5 }]) as [never])); } },
    { name: 'knnAtypicality', call: (r) => sslmem.knnAtypicality(...(mutate(r, [features(r), { k: int(r, 1, 3) }]) as [never, never])) },
  ];
}

/** Every other exported function, called with anything. */
function genericEntries(covered: Set<string>): Entry[] {
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(sslmem)) {
    if (typeof value !== 'function' || covered.has(name) || name in EXCLUDED || FILES.test(name) || name === 'Encoder' || name === 'SslmemError') continue;
    entries.push({ name, call: (r) => (value as (...a: unknown[]) => unknown)(...Array.from({ length: int(r, 0, 4) }, () => anyValue(r))) });
  }
  return entries;
}

function acceptable(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return true;
  const e = error as { name?: string; code?: unknown };
  return e?.name === 'AbortError' || (typeof e?.code === 'string' && e.code.startsWith('ERR_SSLMEM_'));
}

function timeout(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
}

async function main(): Promise<void> {
  const seed = Number(process.env.SSLMEM_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const seconds = Number(process.env.SSLMEM_FUZZ_SECONDS ?? 40);
  const r = mulberry32(seed);
  // SSLMEM_FUZZ_SURVEY=1: report every failure and go on (to list what to fix in one run).
  const survey = process.env.SSLMEM_FUZZ_SURVEY === '1';
  const trace = process.env.SSLMEM_FUZZ_TRACE;
  process.stderr.write(`fuzz seed ${seed}, ${seconds} s\n`);
  const entries = [...kernelEntries, ...(sslmem.torchAvailable() ? torchEntries() : [])];
  entries.push(...genericEntries(new Set(entries.map((e) => e.name))));
  const counts: Record<string, number> = {};
  const end = Date.now() + seconds * 1000;
  let calls = 0;
  for (; Date.now() < end; calls++) {
    const entry = entries[calls % 3 === 2 ? int(r, kernelEntries.length, entries.length - 1) : int(r, 0, entries.length - 1)];
    counts[entry.name] = (counts[entry.name] ?? 0) + 1;
    // The call under way, for the parent to name when this process dies or stops answering.
    if (trace) writeFileSync(trace, `${calls} ${entry.name}\n`);
    let outcome: unknown;
    try {
      outcome = await Promise.race([Promise.resolve().then(() => entry.call(r)), timeout(60_000)]);
    } catch (error) {
      if (acceptable(error)) continue;
      const e = error as Error & { code?: unknown };
      process.stdout.write(JSON.stringify({ failure: { seed, call: calls, entry: entry.name, error: `${e?.constructor?.name}: ${e?.message}`, code: e?.code, stack: e?.stack } }) + '\n');
      if (!survey) process.exit(1);
      continue;
    }
    if (outcome === 'timeout') {
      process.stdout.write(JSON.stringify({ failure: { seed, call: calls, entry: entry.name, error: 'no answer within 60 s (hang)' } }) + '\n');
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify({ seed, seconds, calls, callsPerSecond: calls / seconds, entries: entries.length, excluded: Object.keys(EXCLUDED), counts }) + '\n');
}

process.on('unhandledRejection', (error) => {
  if (acceptable(error)) return;  // e.g. a late rejection of a call that timed out
  process.stdout.write(JSON.stringify({ failure: { error: `unhandled rejection: ${String(error)}` } }) + '\n');
  process.exit(1);
});
main();
