/**
 * `sslmem unitmem` end to end on the shipped Fashion-MNIST subset: per-unit files; shards merged by
 * `sslmem merge` equal the unsharded files byte for byte with shard boundaries that are not
 * multiples of the batch size (each point's views go through the encoder in a forward pass of their
 * own, so a point's activations do not depend on its batch); and `sslmem report` on the output
 * folder shows the selected points with the images of the dataset the run recorded.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Encoder } from '../../lib/encoder';

const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');
const sslmem = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('cli: unitmem', function () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-unitmem-cli-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the per-unit table, and merged shards equal the unsharded run byte for byte', async () => {
    const file = path.join(dir, 'f.sslmem');
    const encoder = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], width: 0.25, seed: 3 });
    await encoder.save(file);
    encoder.dispose();
    const common = ['--encoder', file, '--dataset', 'fashion-mnist-demo', '--points', '30', '--layers', 'conv2,fc', '--views', '3', '--batch-size', '8', '--quiet'];
    const whole = sslmem(['unitmem', ...common, '--out', path.join(dir, 'whole')]);
    assert.equal(whole.status, 0, whole.stderr);
    assert.match(whole.stdout, /UnitMem over 30 points, 3 views each/);
    const csv = fs.readFileSync(path.join(dir, 'whole', 'units.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'layer,unit,mu_max,mu_rest,selectivity,point');
    assert.equal(csv.length, 1 + 16 + 512, 'conv2 has 16 channels at width 0.25, fc 512 features');
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'whole', 'unitmem.json'), 'utf8'));
    assert.deepEqual(summary.layers.map((l: { layer: string; units: number }) => [l.layer, l.units]), [['conv2', 16], ['fc', 512]]);
    assert.equal(summary.points, 30);
    // 3 shards of 10 points with batches of 8: a shard's last 2 points share a batch of 6 views where
    // the unsharded run has them in one of 24 (libtorch's fc GEMM rounds those two differently).
    const parts = [0, 1, 2].map((i) => {
      const r = sslmem(['unitmem', ...common, '--shard', `${i}/3`, '--out', path.join(dir, 'parts')]);
      assert.equal(r.status, 0, r.stderr);
      return path.join(dir, 'parts', `unitmem-part-${i}-of-3.json`);
    });
    const merged = sslmem(['merge', ...parts.reverse(), '--out', path.join(dir, 'merged')]);
    assert.equal(merged.status, 0, merged.stderr);
    for (const name of ['units.csv', 'units.jsonl', 'unitmem.json']) {
      assert.ok(fs.readFileSync(path.join(dir, 'merged', name)).equals(fs.readFileSync(path.join(dir, 'whole', name))), name);
    }
    const missing = sslmem(['merge', parts[0], '--out', path.join(dir, 'none')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /missing \[ERR_SSLMEM_MISMATCH\]/);

    // The report of the folder: the dataset the run recorded (fashion-mnist-demo, its fingerprint checked) gives the images.
    const report = sslmem(['report', path.join(dir, 'whole'), '--gallery', '3', '--json']);
    assert.equal(report.status, 0, report.stderr);
    const written = JSON.parse(report.stdout);
    assert.equal(written.galleryMissing, undefined);
    const html = fs.readFileSync(written.html, 'utf8');
    summary.layers.forEach((layer: { layer: string; topPoints: Array<{ point: number; units: number }> }, l: number) => {
      layer.topPoints.slice(0, 3).forEach((t, rank) => {
        assert.ok(written.files.includes(`unitmem-${l}-${rank + 1}-idx${t.point}.png`), `${layer.layer} #${t.point}`);
        assert.match(html, new RegExp(`<figure data-point="${t.point}">(?:(?!<figure)[^])*?data-key="unitmem\\.layers\\.${l}\\.topPoints\\.${rank}\\.units" data-value="${t.units}"`));
      });
    });
  });
});
