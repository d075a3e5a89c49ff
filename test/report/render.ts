/** Headless Chromium for the report tests: the page's DOM after its scripts ran, and helpers to check its numbers. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

/** Renders the page in headless Chromium and returns the DOM after load (scripts run). */
export function renderDom(file: string): string {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-chromium-'));
  try {
    const run = spawnSync(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--dump-dom', `file://${file}`],
      { encoding: 'utf8', timeout: 90_000 },
    );
    assert.equal(run.status, 0, `chromium failed: ${run.stderr}`);
    return run.stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

export function lookup(object: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((o, part) => (o as Record<string, unknown>)?.[part], object);
}

export function unescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
