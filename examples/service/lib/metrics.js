'use strict';
/**
 * Request metrics in Prometheus's text format (`GET /metrics`): responses by status, a latency
 * histogram, queue depth and jobs running, jobs cancelled, event-loop delay and RSS.
 */
const { monitorEventLoopDelay } = require('node:perf_hooks');

/** Upper bounds (seconds) of the latency buckets: 1 ms to 30 s, about 2.5x apart. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

class Metrics {
  constructor() {
    /** @type {Map<number, number>} responses by status; 499 counts clients that left first (nginx's code) */
    this.responses = new Map();
    this.buckets = new Array(LATENCY_BUCKETS.length).fill(0);
    this.latencyCount = 0;
    this.latencySum = 0;
    this.cancelled = 0;
    this.timedOut = 0;
    // 10 ms resolution: finer sampling costs a timer wake-up per sample for no useful precision.
    this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
  }

  /** Starts sampling the event loop (after start-up, whose synchronous addon load is not service time). */
  startLoopMonitor() {
    this.loopDelay.enable();
  }

  stopLoopMonitor() {
    this.loopDelay.disable();
  }

  /** @param {number} status @param {number} seconds */
  observe(status, seconds) {
    this.responses.set(status, (this.responses.get(status) ?? 0) + 1);
    this.latencyCount++;
    this.latencySum += seconds;
    const bucket = LATENCY_BUCKETS.findIndex((bound) => seconds <= bound);
    if (bucket >= 0) this.buckets[bucket]++;
  }

  /** @param {{running: number, queued: number}} limiter */
  render(limiter) {
    const lines = [
      '# HELP sslmem_service_responses_total Responses by HTTP status (499: the client left before the answer).',
      '# TYPE sslmem_service_responses_total counter',
    ];
    for (const [status, count] of [...this.responses].sort((a, b) => a[0] - b[0])) lines.push(`sslmem_service_responses_total{status="${status}"} ${count}`);
    lines.push('# HELP sslmem_service_request_seconds Time from the request to the answer.', '# TYPE sslmem_service_request_seconds histogram');
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((bound, i) => {
      cumulative += this.buckets[i];
      lines.push(`sslmem_service_request_seconds_bucket{le="${bound}"} ${cumulative}`);
    });
    lines.push(`sslmem_service_request_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    lines.push(`sslmem_service_request_seconds_sum ${this.latencySum}`, `sslmem_service_request_seconds_count ${this.latencyCount}`);
    lines.push('# TYPE sslmem_service_jobs_running gauge', `sslmem_service_jobs_running ${limiter.running}`);
    lines.push('# TYPE sslmem_service_queue_depth gauge', `sslmem_service_queue_depth ${limiter.queued}`);
    lines.push('# HELP sslmem_service_cancelled_total Scoring jobs aborted because the client left.', '# TYPE sslmem_service_cancelled_total counter', `sslmem_service_cancelled_total ${this.cancelled}`);
    lines.push('# TYPE sslmem_service_timed_out_total counter', `sslmem_service_timed_out_total ${this.timedOut}`);
    const delay = this.loopDelay;
    lines.push('# HELP sslmem_service_event_loop_delay_seconds Event-loop delay since the service became ready.', '# TYPE sslmem_service_event_loop_delay_seconds summary');
    for (const q of [50, 99]) lines.push(`sslmem_service_event_loop_delay_seconds{quantile="${q / 100}"} ${delay.count ? delay.percentile(q) / 1e9 : 0}`);
    lines.push(`sslmem_service_event_loop_delay_seconds_max ${delay.count ? delay.max / 1e9 : 0}`);
    lines.push('# TYPE process_resident_memory_bytes gauge', `process_resident_memory_bytes ${process.memoryUsage.rss()}`);
    return lines.join('\n') + '\n';
  }
}

/** Reads one sample's value from the text format (for scripts and tests). */
function readMetric(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

module.exports = { Metrics, readMetric, LATENCY_BUCKETS };
