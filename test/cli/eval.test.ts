import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Encoder } from '../../lib/encoder';

describe('cli: sslmem eval', function () {
  this.timeout(300_000);
  it('reports same-domain and cross-domain probe and kNN accuracy of a saved encoder as JSON', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-eval-'));
    try {
      const file = path.join(dir, 'enc.sslmem');
      const encoder = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], seed: 3 });
      await encoder.save(file);
      encoder.dispose();
      const cli = path.resolve(__dirname, '..', '..', 'lib', 'cli', 'main.js');
      const args = [cli, 'eval', '--encoder', file, '--dataset', 'fashion-mnist-demo', '--cross', 'mnist', '--train-limit', '300', '--test-limit', '100', '--epochs', '50', '--json'];
      const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const out = JSON.parse(run.stdout);
      for (const task of ['same-domain', 'cross-domain']) {
        assert.equal(out[task].train.size, 300);
        assert.equal(out[task].test.size, 100);
        // Even a random CNN's features beat chance (10%) on these tasks.
        assert.ok(out[task].linearProbe.testAccuracy > 0.2, `${task} probe ${out[task].linearProbe.testAccuracy}`);
        assert.ok(out[task].knn.accuracy > 0.2, `${task} kNN ${out[task].knn.accuracy}`);
      }
      assert.match(out['cross-domain'].train.name, /^mnist\//);
      const bad = spawnSync(process.execPath, [cli, 'eval', '--encoder', file, '--task', 'nope'], { encoding: 'utf8' });
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /--task/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
