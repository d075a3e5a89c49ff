'use strict';
/**
 * Bounded concurrency with a bounded queue: at most `concurrency` scoring jobs run at once (each
 * already uses every core through libtorch and the kernel threads, so more would only interleave
 * them), at most `queueSize` wait; past that the caller is told at once (HTTP 429) instead of
 * waiting in an unbounded line whose tail would time out anyway.
 */

class QueueFullError extends Error {
  constructor() {
    super('the scoring queue is full');
    this.name = 'QueueFullError';
  }
}

class Limiter {
  /** @param {{concurrency: number, queueSize: number}} limits */
  constructor({ concurrency, queueSize }) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`Expected an integer >= 1 for concurrency but received ${concurrency}`);
    if (!Number.isInteger(queueSize) || queueSize < 0) throw new RangeError(`Expected an integer >= 0 for queueSize but received ${queueSize}`);
    this.concurrency = concurrency;
    this.queueSize = queueSize;
    this.running = 0;
    /** @type {{start: () => void, cancel: (reason: unknown) => void}[]} */
    this.waiting = [];
  }

  get queued() {
    return this.waiting.length;
  }

  /** Whether a new job would be refused now: every slot busy and the queue full. */
  get full() {
    return this.running >= this.concurrency && this.waiting.length >= this.queueSize;
  }

  /**
   * Runs `task(signal)` when a slot is free. Rejects with QueueFullError when full, and with the
   * signal's reason if it aborts while the job waits (the job then leaves the queue).
   * @template T
   * @param {(signal: AbortSignal) => Promise<T>} task
   * @param {AbortSignal} signal
   * @returns {Promise<T>}
   */
  run(task, signal) {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.running < this.concurrency) return this.#start(task, signal);
    if (this.waiting.length >= this.queueSize) return Promise.reject(new QueueFullError());
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          this.#start(task, signal).then(resolve, reject);
        },
        cancel: reject,
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  async #start(task, signal) {
    this.running++;
    try {
      return await task(signal);
    } finally {
      this.running--;
      const next = this.waiting.shift();
      if (next) next.start();
    }
  }
}

module.exports = { Limiter, QueueFullError };
