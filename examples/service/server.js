#!/usr/bin/env node
'use strict';
/**
 * Starts the scoring service: listens at once (/healthz answers, /readyz says 503 while loading),
 * loads encoders f and g once, then opens /score. SIGTERM or SIGINT drains: no new work, running
 * and queued jobs get --grace-ms to finish, then the encoders are freed and the process exits.
 *
 *   node server.js [--f encoders/f.sslmem] [--g encoders/g.sslmem] [--port 8080] [--host 127.0.0.1]
 *                  [--concurrency 1] [--queue 8] [--max-body 1048576] [--timeout-ms 10000]
 *                  [--views 16] [--max-views 256] [--threads 0] [--grace-ms 10000]
 *
 * Prints one JSON line per event on stdout ({"event":"listening","port":...}, {"event":"ready"}).
 */
const path = require('node:path');
const { parseArgs } = require('node:util');
const { Encoder } = require('sslmem');
const { createService, DEFAULTS } = require('./lib/service');

const integerOptions = {
  port: 8080, concurrency: DEFAULTS.concurrency, queue: DEFAULTS.queueSize, 'max-body': DEFAULTS.maxBodyBytes,
  'timeout-ms': DEFAULTS.timeoutMs, views: DEFAULTS.views, 'max-views': DEFAULTS.maxViews, threads: DEFAULTS.threads, 'grace-ms': 10_000,
};

function readOptions() {
  const { values } = parseArgs({
    options: {
      f: { type: 'string', default: path.join(__dirname, 'encoders', 'f.sslmem') },
      g: { type: 'string', default: path.join(__dirname, 'encoders', 'g.sslmem') },
      host: { type: 'string', default: '127.0.0.1' },
      ...Object.fromEntries(Object.keys(integerOptions).map((name) => [name, { type: 'string' }])),
    },
  });
  const numbers = {};
  for (const [name, fallback] of Object.entries(integerOptions)) {
    const value = values[name] === undefined ? fallback : Number(values[name]);
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`Expected a non-negative integer for --${name} but received ${values[name]}`);
    numbers[name] = value;
  }
  return { ...values, ...numbers };
}

const event = (fields) => process.stdout.write(JSON.stringify(fields) + '\n');

async function main() {
  const options = readOptions();
  const service = createService({
    limits: {
      concurrency: options.concurrency, queueSize: options.queue, maxBodyBytes: options['max-body'], timeoutMs: options['timeout-ms'],
      views: options.views, maxViews: options['max-views'], threads: options.threads,
    },
  });
  await new Promise((resolve, reject) => {
    service.server.once('error', reject);
    service.server.listen(options.port, options.host, resolve);
  });
  event({ event: 'listening', host: options.host, port: service.server.address().port });
  let encoders = [];
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    event({ event: 'draining', signal });
    await service.drain(options['grace-ms']);
    for (const encoder of encoders) encoder.dispose();
    event({ event: 'stopped' });
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  encoders = await Promise.all([Encoder.load(options.f), Encoder.load(options.g)]);
  if (stopping) {
    for (const encoder of encoders) encoder.dispose();
    return;
  }
  service.setReady(encoders[0], encoders[1]);
  event({ event: 'ready', f: options.f, g: options.g, inputShape: encoders[0].description.inputShape });
}

main().catch((error) => {
  process.stderr.write(`sslmem-service: ${error.message}${error.code ? ` [${error.code}]` : ''}\n`);
  process.exit(1);
});
