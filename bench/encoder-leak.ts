/**
 * RSS of a loop that creates encoders and drops them without dispose() (issue 16): the slope of RSS
 * against encoders created should be ~0 once the garbage collector runs, because each handle reports
 * its weights to V8 as external memory. A baseline in the same run disposes each encoder.
 *
 *   node dist/bench/encoder-leak.js [--encoders 3000] [--architecture pooled-cnn]
 */
import { Encoder } from '../lib/encoder';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const count = Number(option('--encoders', '3000'));
const architecture = option('--architecture', 'pooled-cnn');
const mb = (bytes: number) => bytes / 1024 / 1024;

/** Least-squares slope of y against x. */
function slope(xs: number[], ys: number[]): number {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length, my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0, den = 0;
  xs.forEach((x, i) => ((num += (x - mx) * (ys[i] - my)), (den += (x - mx) ** 2)));
  return num / den;
}

// A service's loop yields to the event loop between requests; napi finalizers run there, so
// this loop does too (every encoder).
async function loop(dispose: boolean): Promise<{ start: number; end: number; peak: number; slopeKbPerEncoder: number }> {
  const xs: number[] = [], ys: number[] = [];
  const start = process.memoryUsage().rss;
  let peak = start;
  for (let i = 1; i <= count; i++) {
    const encoder = Encoder.create({ architecture, inputShape: [3, 32, 32], seed: i });
    if (dispose) encoder.dispose();
    await new Promise((resolve) => setImmediate(resolve));
    if (i % Math.max(1, Math.floor(count / 50)) === 0) {
      const rss = process.memoryUsage().rss;
      peak = Math.max(peak, rss);
      // The second half only: the first hundreds include the heap's growth to its working size.
      if (i > count / 2) xs.push(i), ys.push(rss);
    }
  }
  return { start, end: process.memoryUsage().rss, peak, slopeKbPerEncoder: slope(xs, ys) / 1024 };
}

async function main(): Promise<void> {
  const probe = Encoder.create({ architecture, inputShape: [3, 32, 32], seed: 0 });
  // The handle's own count (lib/encoder keeps it private).
  const weights = (probe as unknown as { handle: { info(): { parameters: number } } }).handle.info().parameters * 4;
  probe.dispose();
  console.log(`encoder leak bench: ${count} x ${architecture} (3x32x32), ${(weights / 1024).toFixed(0)} KB of float32 weights each; node ${process.version}\n`);
  console.log('| loop | RSS start MB | RSS peak MB | RSS end MB | slope KB/encoder (second half) | weights KB/encoder |');
  console.log('|---|---|---|---|---|---|');
  for (const dispose of [true, false]) {
    const r = await loop(dispose);
    console.log(`| ${dispose ? 'dispose() each' : 'dropped, no dispose()'} | ${mb(r.start).toFixed(0)} | ${mb(r.peak).toFixed(0)} | ${mb(r.end).toFixed(0)} | ` +
      `${r.slopeKbPerEncoder.toFixed(1)} | ${(weights / 1024).toFixed(0)} |`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
