#!/usr/bin/env node
'use strict';
/**
 * Load test on loopback: starts server.js as a child process, warms it up, then drives POST /score
 * with autocannon for --duration seconds and reports sustained requests/s, p50/p99 latency, the
 * server's event-loop delay p99 (its /metrics), responses by status and the server's RSS sampled
 * every second from /proc (outside the server, so sampling costs it nothing). Exits 1 on any
 * error or status other than 200 and the planned 429s.
 *
 *   node load-test.js [--duration 40] [--connections 16] [--views 8] [--concurrency 1] [--queue 8]
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { parseArgs } = require('node:util');
const autocannon = require('autocannon');
const sharp = require('sharp');
const { readMetric } = require('./lib/metrics');

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '40' },
    connections: { type: 'string', default: '16' },
    views: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '1' },
    queue: { type: 'string', default: '8' },
  },
});

function startServer() {
  const server = spawn(process.execPath, [path.join(__dirname, 'server.js'), '--port', '0', '--concurrency', values.concurrency, '--queue', values.queue], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let port;
    readline.createInterface({ input: server.stdout }).on('line', (line) => {
      const event = JSON.parse(line);
      if (event.event === 'listening') port = event.port;
      if (event.event === 'ready') resolve({ server, port });
    });
    server.once('exit', (code) => reject(new Error(`server.js exited (${code}) before it was ready; run "npm run setup" first if it has no encoders`)));
  });
}

function rssBytes(pid) {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) * 1024;
}

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

const run = (options) => new Promise((resolve, reject) => autocannon(options, (error, result) => (error ? reject(error) : resolve(result))));

async function main() {
  const { server, port } = await startServer();
  try {
    const pixels = Buffer.from(Array.from({ length: 28 * 28 }, (_, i) => (i * 37 + 11) % 256));
    const body = await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer();
    const request = { url: `http://127.0.0.1:${port}/score?views=${values.views}`, method: 'POST', headers: { 'content-type': 'image/png' }, body };
    // Warm-up: libtorch's first passes allocate its caches; they are not the service's steady state.
    await run({ ...request, connections: 1, amount: 50 });
    const samples = [];
    const sampler = setInterval(() => samples.push({ t: performance.now() / 1000, rss: rssBytes(server.pid) }), 1000);
    samples.push({ t: performance.now() / 1000, rss: rssBytes(server.pid) });
    const result = await run({ ...request, connections: Number(values.connections), duration: Number(values.duration) });
    clearInterval(sampler);
    samples.push({ t: performance.now() / 1000, rss: rssBytes(server.pid) });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
    const rss = samples.map((s) => s.rss);
    const report = {
      duration_s: result.duration,
      connections: result.connections,
      requests: total,
      requests_per_s: result.requests.average,
      scored_per_s: (statuses['200'] ?? 0) / result.duration,
      latency_ms: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      statuses,
      errors: result.errors,
      timeouts: result.timeouts,
      event_loop_delay_p99_ms: readMetric(metrics, 'sslmem_service_event_loop_delay_seconds{quantile="0.99"}') * 1000,
      rss_mb: { start: mb(rss[0]), max: mb(Math.max(...rss)), end: mb(rss[rss.length - 1]), slope_mb_per_min: (slope(samples.map((s) => s.t), rss) * 60 / 2 ** 20).toFixed(2) },
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    const unplanned = Object.keys(statuses).filter((code) => code !== '200' && code !== '429');
    if (result.errors > 0 || result.timeouts > 0 || unplanned.length > 0) {
      process.stderr.write(`load-test: unplanned outcomes: ${result.errors} errors, ${result.timeouts} timeouts, statuses ${unplanned.join(', ') || 'none'}\n`);
      process.exitCode = 1;
    }
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((error) => {
  process.stderr.write(`load-test: ${error.message}\n`);
  process.exitCode = 1;
});
