'use strict';
/**
 * The scoring service: plain node:http. Five routes, and what matters here is control over the
 * request's life (refusing a body by its Content-Length before reading it, noticing that the
 * client left, answering before the body is read): node:http gives that directly, where a
 * framework would add a router, a body parser and an overload plugin to configure around it.
 *
 *   POST /score[?views=V&seed=S&item=I]  PNG/JPEG (one image) or raw uint8 (x-image-shape: N,H,W,C)
 *   GET  /healthz   the process answers
 *   GET  /readyz    encoders loaded and not draining (else 503)
 *   GET  /metrics   Prometheus text
 */
const http = require('node:http');
const { score } = require('sslmem');
const { HttpError } = require('./http-error');
const { decodeImages } = require('./images');
const { Limiter, QueueFullError } = require('./limiter');
const { Metrics } = require('./metrics');

/** Why a request's job was aborted: the status it is answered (or counted) with. */
const ABORT_STATUS = { timeout: 504, client: 499, draining: 503 };

const DEFAULTS = {
  concurrency: 1,
  queueSize: 8,
  maxBodyBytes: 1 << 20,
  maxPixels: 1024 * 1024,
  maxImages: 16,
  timeoutMs: 10_000,
  views: 16,
  maxViews: 256,
  threads: 0,
};

/** @param {URLSearchParams} query @param {string} name @param {number} fallback @param {number} min @param {number} max */
function integerParam(query, name, fallback, min, max) {
  const text = query.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new HttpError(400, `Expected an integer in [${min}, ${max}] for ${name} but received ${text}`);
  return value;
}

/** Reads the body, refusing (413) past `maxBytes` without buffering the rest. */
function readBody(req, maxBytes) {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.reject(new HttpError(413, `Expected a body of at most ${maxBytes} bytes but received a Content-Length of ${declared}`));
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.pause();
        reject(new HttpError(413, `Expected a body of at most ${maxBytes} bytes but received more`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function send(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; version=0.0.4' : 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * @param {object} options
 * @param {Partial<typeof DEFAULTS>} [options.limits]
 * @param {(message: string) => void} [options.log]
 */
function createService(options = {}) {
  const limits = { ...DEFAULTS, ...options.limits };
  const log = options.log ?? ((message) => process.stderr.write(message + '\n'));
  const limiter = new Limiter({ concurrency: limits.concurrency, queueSize: limits.queueSize });
  const metrics = new Metrics();
  /** @type {{f: import('sslmem').ScoringEncoder, g: import('sslmem').ScoringEncoder} | null} */
  let encoders = null;
  let draining = false;
  /** Every request's abort controller, so draining can stop what is left when its grace ends. */
  const active = new Set();
  // Seconds one job takes, averaged (EWMA 0.2): Retry-After says when the queue will have moved on.
  let jobSeconds = 0.05;
  const retryAfter = () => String(Math.max(1, Math.ceil((jobSeconds * (limiter.queued + limiter.running)) / limits.concurrency)));

  async function handleScore(req, res, url, signal) {
    if (!encoders || draining) throw new HttpError(503, draining ? 'the service is draining' : 'the encoders are still loading', { 'retry-after': draining ? '5' : '1' });
    // Shed load before reading the body: a refused request should cost next to nothing.
    if (limiter.full) throw new HttpError(429, 'the scoring queue is full', { 'retry-after': retryAfter() });
    const views = integerParam(url.searchParams, 'views', limits.views, 2, limits.maxViews);
    const seed = integerParam(url.searchParams, 'seed', 0, 0, 2 ** 31 - 1);
    const item = integerParam(url.searchParams, 'item', 0, 0, Number.MAX_SAFE_INTEGER - limits.maxImages);
    const body = await readBody(req, limits.maxBodyBytes);
    const channels = encoders.f.description.inputShape[0];
    const images = await decodeImages(body, req.headers['content-type'], { headers: req.headers, channels, maxImages: limits.maxImages, maxPixels: limits.maxPixels });
    const itemIds = Array.from({ length: images.shape[0] }, (_, i) => item + i);
    const { f, g } = encoders;
    const result = await limiter
      .run(async (jobSignal) => {
        const started = performance.now();
        try {
          return await score({ f, g, images, itemIds, views, seed, threads: limits.threads, signal: jobSignal });
        } finally {
          jobSeconds = 0.8 * jobSeconds + 0.2 * ((performance.now() - started) / 1000);
        }
      }, signal)
      .catch((error) => {
        if (error instanceof QueueFullError) throw new HttpError(429, error.message, { 'retry-after': retryAfter() });
        throw error;
      });
    const points = itemIds.map((id, i) => ({
      item: id, m: result.m[i], se: result.se[i], lossF: result.lossF[i], lossG: result.lossG[i], pairs: result.count[i], views: result.views[i],
    }));
    send(res, 200, { points, mode: result.mode, metric: result.metric, seed: result.seed });
  }

  async function handle(req, res) {
    const started = performance.now();
    const controller = new AbortController();
    active.add(controller);
    const timer = setTimeout(() => controller.abort('timeout'), limits.timeoutMs);
    // 'close' before the answer is finished: the client left, so its job is cancelled.
    res.on('close', () => {
      clearTimeout(timer);
      active.delete(controller);
      if (!res.writableFinished) {
        controller.abort('client');
        metrics.observe(499, (performance.now() - started) / 1000);
      }
    });
    res.on('finish', () => metrics.observe(res.statusCode, (performance.now() - started) / 1000));
    const url = new URL(req.url ?? '/', 'http://service');
    try {
      if (url.pathname === '/score') {
        if (req.method !== 'POST') throw new HttpError(405, `Expected POST for /score but received ${req.method}`, { allow: 'POST' });
        await handleScore(req, res, url, controller.signal);
      } else if (req.method !== 'GET') {
        throw new HttpError(405, `Expected GET for ${url.pathname} but received ${req.method}`, { allow: 'GET' });
      } else if (url.pathname === '/healthz') {
        send(res, 200, { status: 'ok' });
      } else if (url.pathname === '/readyz') {
        if (encoders && !draining) send(res, 200, { status: 'ready' });
        else send(res, 503, { status: draining ? 'draining' : 'loading' }, { 'retry-after': draining ? '5' : '1' });
      } else if (url.pathname === '/metrics') {
        send(res, 200, metrics.render(limiter));
      } else {
        throw new HttpError(404, `Expected /score, /healthz, /readyz or /metrics but received ${url.pathname}`);
      }
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : null;
      if (reason === 'client') metrics.cancelled++;
      else if (reason === 'timeout') metrics.timedOut++;
      if (reason) {
        send(res, ABORT_STATUS[reason], { error: reason === 'timeout' ? `scoring took longer than ${limits.timeoutMs} ms` : 'the service is draining' });
      } else if (error instanceof HttpError) {
        // A refused body is left unread: close the connection rather than drain it.
        const close = error.status === 413 ? { connection: 'close' } : {};
        send(res, error.status, { error: error.message }, { ...error.headers, ...close });
      } else if (error instanceof TypeError || error instanceof RangeError) {
        send(res, 400, { error: error.message, code: error.code });
      } else {
        log(`sslmem-service: ${error.stack ?? error}`);
        send(res, 500, { error: error.message, code: error.code });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => log(`sslmem-service: ${error.stack ?? error}`));
  });
  // Node's own limits stay on (headers 60 s, request 300 s); ours is the per-request job timeout.

  return {
    server,
    metrics,
    limiter,
    /** Encoders are in: /readyz answers 200 and /score is open. */
    setReady(f, g) {
      const [a, b] = [f.description, g.description];
      if (JSON.stringify(a.inputShape) !== JSON.stringify(b.inputShape)) throw new RangeError(`Expected encoders f and g with one input shape but received ${a.inputShape} and ${b.inputShape}`);
      encoders = { f, g };
      metrics.startLoopMonitor();
    },
    /**
     * Stops taking work: /readyz and /score answer 503 while the socket stays open, so a load
     * balancer sees the service leave rather than a refused connection. Running and queued jobs
     * get `graceMs` to finish, then what is left is aborted; resolves when the server is closed.
     */
    async drain(graceMs = 10_000) {
      draining = true;
      const deadline = performance.now() + graceMs;
      while (limiter.running + limiter.queued > 0) {
        if (performance.now() > deadline) for (const controller of active) controller.abort('draining');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      metrics.stopLoopMonitor();
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
    },
  };
}

module.exports = { createService, DEFAULTS };
