/**
 * Encoders report their weights to V8 as external memory (issue 16), so that handles dropped
 * without dispose() are collected as their native size demands. Before, V8 saw only their few JS
 * bytes: 40 dropped ResNet-18s (43 MB of weights each) grew RSS by ~1.2 GB, 3,000 small ones by
 * 2 GB. A child process creates and drops them, yielding to the event loop between (where napi
 * finalizers run), and reports its RSS growth. The slope is measured in bench/encoder-leak.ts.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { torchAvailable } from '../../lib/binding';

describe('robustness: encoders report their native memory', function () {
  this.timeout(300_000);
  before(function () {
    if (!torchAvailable()) this.skip();
  });

  it('40 ResNet-18 encoders dropped without dispose() grow RSS by less than 600 MB (their weights: 1.7 GB)', () => {
    const script = `
      const { Encoder } = require(${JSON.stringify(require.resolve('../../lib/encoder'))});
      (async () => {
        const start = process.memoryUsage().rss;
        let peak = start;
        for (let i = 0; i < 40; i++) {
          Encoder.create({ architecture: 'resnet18', inputShape: [3, 32, 32], seed: i });
          await new Promise((resolve) => setImmediate(resolve));
          peak = Math.max(peak, process.memoryUsage().rss);
        }
        console.log(JSON.stringify({ growthMb: (peak - start) / 1048576 }));
      })();`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 240_000 });
    assert.equal(child.signal, null, child.stderr);
    const { growthMb } = JSON.parse(child.stdout.trim());
    assert.ok(growthMb < 600, `RSS grew by ${growthMb.toFixed(0)} MB`);
  });
});
