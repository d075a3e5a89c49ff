/**
 * Profile of one scoring batch (issue 15's first step): where sslmem's time goes, phase by phase,
 * with how many threads each phase keeps busy (CPU time / wall time), for the plain forward passes
 * and the inference graphs; then, from bench/score_profile.py on the same TorchScript encoder and
 * libtorch, which operators one point's forward pass runs and which oneDNN primitives execute.
 *
 *   node dist/bench/score-profile.js [--models small-cnn,resnet18] [--views 16] [--threads 2] [--write]
 *
 * `--write` replaces the "score: profile" section of bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { alignDifference } from '../lib/align';
import { augment, resolvePipeline, withCleanAnchor } from '../lib/augment';
import { Encoder } from '../lib/encoder';
import { setTorchThreads, systemInfo } from '../lib/system';
import { blasSummary } from '../lib/blas';
import { arg, makeTorchScriptEncoder, writeSection } from './util/shared';

const PYTHON = '/usr/bin/python3';
const ROOT = path.join(__dirname, '..', '..');

/** Runs `fn` `runs` times; wall ms and busy threads (CPU / wall) per run, after one warm-up run. */
async function timed(fn: () => Promise<unknown>, runs = 3): Promise<{ ms: number; busy: number }> {
  await fn();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { ms: wall / runs, busy: (used.user + used.system) / 1000 / wall };
}

const shapes: Record<string, { shape: [number, number, number]; points: number }> = {
  'small-cnn': { shape: [1, 28, 28], points: 64 },
  resnet18: { shape: [3, 32, 32], points: 8 },
};

async function main(): Promise<void> {
  const threads = Number(arg('threads', '2'));
  const views = Number(arg('views', '16'));
  const chosen = arg('models', 'small-cnn,resnet18').split(',');
  setTorchThreads(threads);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-bench-profile-'));
  const info = systemInfo();
  const lines = [
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} hardware threads; kernels SIMD ${info.kernels.simd}; ${threads} threads. BLAS: ${blasSummary(info.blas)}.`,
    `One batch of synthetic points (${views} augmented views + the clean image each), anchor mode; "busy" is CPU time / wall time (threads kept busy).`,
  ];
  try {
    for (const name of chosen) {
      const { shape, points } = shapes[name];
      const [c, h, w] = shape;
      const file = path.join(dir, `${name}.pt`);
      makeTorchScriptEncoder(file, 1, shape, name);
      const normalize = { mean: new Array(c).fill(0.5), std: new Array(c).fill(0.5) };
      const encoder = await Encoder.loadTorchScript(file, { inputShape: shape, normalize });
      const images = { data: Uint8Array.from({ length: points * h * w * c }, (_, i) => (i * 37) % 251), shape: [points, h, w, c] };
      const pipeline = resolvePipeline('sslmem-scoring');
      const spec = withCleanAnchor({ ...pipeline, views: pipeline.views.map((v) => ({ ...v, size: [h, w] as [number, number], normalize })) });
      const rendered = views + 1;
      const viewsTensor = await augment(images, { pipeline: spec, views: rendered, seed: 1, threads });
      const flat = { data: viewsTensor.data, shape: [points * rendered, c, h, w] };
      const reprs = await encoder.embedViews(flat, { group: rendered, batchSize: 128 });
      const d = reprs.shape[1];
      const cleanCount = name === 'resnet18' ? 256 : 1024;
      const clean = { data: Uint8Array.from({ length: cleanCount * h * w * c }, (_, i) => (i * 53) % 253), shape: [cleanCount, h, w, c] };
      const phases: Array<[string, { ms: number; busy: number }]> = [
        ['augment (kernel tier)', await timed(() => augment(images, { pipeline: spec, views: rendered, seed: 1, threads }))],
        [`one encoder, plain forward, ${threads} threads`, await timed(() => encoder.embedViews(flat, { group: rendered, batchSize: 128, graph: false, threads }))],
        [`one encoder, inference graph, ${threads} threads`, await timed(() => encoder.embedViews(flat, { group: rendered, batchSize: 128, threads }))],
        ['one encoder, inference graph, 1 thread', await timed(() => encoder.embedViews(flat, { group: rendered, batchSize: 128, threads: 1 }))],
        [`embed ${clean.shape[0]} clean images (kNN, probes, typicality), plain`, await timed(() => encoder.embed(clean, { graph: false, threads }), 1)],
        [`embed ${clean.shape[0]} clean images, inference graph`, await timed(() => encoder.embed(clean, { threads }), 1)],
        ['align f against g (kernel tier)', await timed(() => alignDifference({ data: reprs.data, shape: [points, rendered, d] }, { data: reprs.data, shape: [points, rendered, d] }, { metric: 'l2-normalized', pairing: 'anchor', threads }))],
      ];
      encoder.dispose();
      lines.push('', `### ${name} (${c}x${h}x${w}), ${points} points`, '', '| phase | ms per batch | ms per point | busy threads |', '|---|---:|---:|---:|');
      for (const [phase, t] of phases) lines.push(`| ${phase} | ${t.ms.toFixed(1)} | ${(t.ms / points).toFixed(2)} | ${t.busy.toFixed(2)} |`);

      const profile = spawnSync(PYTHON, [path.join(ROOT, 'bench', 'score_profile.py'), file, String(rendered), String(c), String(h), String(w), String(threads)], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (profile.status !== 0) throw new Error(profile.stderr);
      const { timings, ...result } = JSON.parse(profile.stdout) as { timings: Array<Record<string, number>> } & Record<string, { ops: Array<{ op: string; calls: number; ms: number; share: number }>; onednn: Array<{ primitive: string; count: number; ms: number }> }>;
      const ways = Object.keys(timings[0]).filter((k) => k !== 'rows');
      lines.push('', `${name}: ms per image by images per forward pass (PyTorch, same libtorch and TorchScript file, ${threads} threads, best of 3):`, '', `| images per pass | ${ways.join(' | ')} |`, `|---:|${ways.map(() => '---:|').join('')}`);
      for (const row of timings) lines.push(`| ${row.rows} | ${ways.map((k) => row[k].toFixed(3)).join(' | ')} |`);
      for (const [form, p] of Object.entries(result)) {
        lines.push('', `${name}, one point's forward pass (${rendered} views), ${form}: operators by self CPU time: ${p.ops.slice(0, 5).map((o) => `${o.op} x${o.calls} ${o.ms.toFixed(2)} ms (${(100 * o.share).toFixed(0)}%)`).join('; ')}.`);
        lines.push(`oneDNN primitives: ${p.onednn.map((o) => `${o.primitive} x${o.count} ${o.ms.toFixed(2)} ms`).join('; ') || 'none'}.`);
      }
      process.stdout.write(lines.slice(-12).join('\n') + '\n');
    }
    const text = lines.join('\n') + '\n';
    process.stdout.write('\n' + text);
    if (process.argv.includes('--write')) writeSection(path.join(ROOT, 'bench', 'RESULTS.md'), 'score: profile', `Command: \`node dist/bench/score-profile.js --models ${chosen.join(',')} --views ${views} --threads ${threads} --write\`\n\n${text}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
