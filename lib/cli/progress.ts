/**
 * A progress bar with rate and ETA on stderr. On a terminal it redraws one line; otherwise (logs,
 * CI) it prints a line at every 10% so long jobs still show they are alive. Silent when disabled
 * (e.g. `--json` or `--quiet`).
 *
 * Kept rather than cli-progress (issue 12): cli-progress 3.12 (7 packages, 0.3 MB) prints nothing
 * when the stream is not a terminal unless `noTTYOutput` is set, and then redraws on a timer
 * (`notTTYSchedule`, every 2 s) rather than once per tenth: the log lines of CI runs and batch
 * jobs, which this bar is written for, would change or vanish. This one is 45 lines.
 */
export class ProgressBar {
  private readonly start = Date.now();
  private lastTenth = -1;
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly enabled = true,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Updates to `done` of `total` (total may be revised), with an optional note (e.g. "loss 4.21"). */
  update(done: number, total = this.total, note = ''): void {
    if (!this.enabled) return;
    this.total = total;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = done > 0 ? (elapsed * (total - done)) / done : NaN;
    const text = `${this.label} ${done}/${total} ${(100 * fraction).toFixed(0)}% ${formatSeconds(elapsed)} elapsed, ETA ${formatSeconds(eta)}${note ? `, ${note}` : ''}`;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && done < total) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
    } else {
      const tenth = Math.floor(fraction * 10);
      if (tenth === this.lastTenth) return;
      this.lastTenth = tenth;
      this.stream.write(text + '\n');
    }
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.enabled && this.stream.isTTY) this.stream.write('\n');
  }
}

/** "42s", "3m05s", "1h02m", or "?" when unknown. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
