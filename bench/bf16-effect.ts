/**
 * What `precision: 'bf16'` does to m: the encoders of a finished run (`sslmem demo` by default,
 * trained here first) rescored by `sslmem score` in fp32 and in bf16 on the same manifest, views and
 * seed; per point |m_bf16 - m_fp32| next to the point's standard error, and the group comparison of
 * both. Also each precision's scoring time (on a CPU without bf16 in hardware, bf16 is emulated),
 * and how far the inference graph's m is from the plain forward passes' (--no-graph).
 *
 *   node dist/bench/bf16-effect.js [--run DIR] [--threads 2] [--write]
 *
 * `--write` replaces the "score: bf16 effect on m" section of bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { systemInfo } from '../lib/system';
import { arg, writeSection } from './util/shared';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

function cli(args: string[]): void {
  const run = spawnSync(process.execPath, [CLI, ...args, '--quiet'], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (run.status !== 0) throw new Error(`sslmem ${args[0]} failed: ${run.stderr}`);
}

/** "group:index" -> {m, se} from a scores.csv (S_E's indices are into another split, so the group is part of the key). */
function readScores(file: string): Map<string, { m: number; se: number }> {
  const [header, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const columns = header.split(',');
  const at = (name: string) => columns.indexOf(name);
  return new Map(rows.map((row) => {
    const cells = row.split(',');
    return [`${cells[at('group')]}:${cells[at('index')]}`, { m: Number(cells[at('m')]), se: Number(cells[at('se')]) }];
  }));
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(): Promise<void> {
  const threads = arg('threads', '2');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-bf16-'));
  try {
    let run = arg('run', '');
    if (!run) {
      run = path.join(tmp, 'demo');
      cli(['demo', '--out', run, '--threads', threads]);
    }
    const seconds: Record<string, number> = {};
    const summaries: Record<string, { comparisons: Array<{ b: string; welch: { difference: number; p: number } }> }> = {};
    // fp32 and bf16 on the inference graphs (the default), and fp32 on the plain forward passes.
    const runs: Record<string, string[]> = { fp32: ['--precision', 'fp32'], bf16: ['--precision', 'bf16'], plain: ['--no-graph'] };
    for (const [name, flags] of Object.entries(runs)) {
      const out = path.join(tmp, name);
      const start = Date.now();
      cli(['score', '--f', path.join(run, 'encoder-f.sslmem'), '--g', path.join(run, 'encoder-g.sslmem'), '--manifest', path.join(run, 'manifest.json'), '--views', '32', '--threads', threads, ...flags, '--out', out]);
      seconds[name] = (Date.now() - start) / 1000;
      summaries[name] = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    }
    const fp32 = readScores(path.join(tmp, 'fp32', 'scores.csv'));
    const bf16 = readScores(path.join(tmp, 'bf16', 'scores.csv'));
    const plain = readScores(path.join(tmp, 'plain', 'scores.csv'));
    const diffs: number[] = [];
    const ratios: number[] = [];
    let graphMoved = 0;
    for (const [key, a] of fp32) {
      const d = Math.abs(bf16.get(key)!.m - a.m);
      diffs.push(d);
      ratios.push(d / a.se);
      graphMoved = Math.max(graphMoved, Math.abs(plain.get(key)!.m - a.m));
    }
    diffs.sort((a, b) => a - b);
    ratios.sort((a, b) => a - b);
    const ses = [...fp32.values()].map((p) => p.se).sort((a, b) => a - b);
    const comparison = (precision: string) => summaries[precision].comparisons.map((c) => `vs ${c.b}: difference ${c.welch.difference.toFixed(4)}, p ${c.welch.p.toExponential(1)}`).join('; ');
    const info = systemInfo();
    const lines = [
      `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}; bf16 in hardware: ${info.kernels.bf16 ? 'yes' : 'no (libtorch emulates it)'}; ${threads} threads. Encoders: ${arg('run', '') || '`sslmem demo`, trained here'}; ${fp32.size} points, 32 augmented views each against the clean image, seed 0.`,
      '',
      '| | median | 90th percentile | max |',
      '|---|---:|---:|---:|',
      `| per-point \\|m(bf16) - m(fp32)\\| | ${quantile(diffs, 0.5).toExponential(2)} | ${quantile(diffs, 0.9).toExponential(2)} | ${diffs[diffs.length - 1].toExponential(2)} |`,
      `| the same over the point's standard error (fp32) | ${quantile(ratios, 0.5).toFixed(3)} | ${quantile(ratios, 0.9).toFixed(3)} | ${ratios[ratios.length - 1].toFixed(3)} |`,
      `| per-point standard error of m (fp32) | ${quantile(ses, 0.5).toExponential(2)} | ${quantile(ses, 0.9).toExponential(2)} | ${ses[ses.length - 1].toExponential(2)} |`,
      '',
      `Group comparisons (one-sided Welch, candidates above): fp32 ${comparison('fp32')}; bf16 ${comparison('bf16')}.`,
      `Scoring time: fp32 ${seconds.fp32.toFixed(1)} s, bf16 ${seconds.bf16.toFixed(1)} s, fp32 on plain forward passes (--no-graph) ${seconds.plain.toFixed(1)} s.`,
      `The inference graph against the plain forward passes (both fp32): per-point m differs by at most ${graphMoved.toExponential(2)}.`,
    ];
    const text = lines.join('\n') + '\n';
    process.stdout.write(text);
    if (process.argv.includes('--write')) writeSection(path.join(ROOT, 'bench', 'RESULTS.md'), 'score: bf16 effect on m', `Command: \`node dist/bench/bf16-effect.js --threads ${threads} --write\`\n\n${text}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
