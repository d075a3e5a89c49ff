/**
 * LayerMem (lib/score/score.ts scoreLayers, lib/score/layers.ts): the last layer equals score()
 * bit for bit; a layer's scores equal scoring a truncated copy of the encoders built by hand in
 * PyTorch (1e-6); the per-layer statistics and ΔLayerMem against hand-computed values; the files
 * survive sharding and merging.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { datasetFingerprint, loadIdx, ImageDataset, openDataset } from '../../lib/data';
import { Encoder } from '../../lib/encoder';
import { layersCsv, makeSplits, writeManifest, mergeParts, readPart, score, scoreLayers, summarizeLayers, writePart, writeScoreOutputs, finalizeScores } from '../../lib/score';
import type { PointScore, ScoreRunInfo } from '../../lib/score';
import { layerChart } from '../../lib/report/charts';
import { runOracleCode } from '../train/helpers';

const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');
const FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'fashion-mnist');

// small-cnn truncated after its second conv unit, rebuilt from a saved encoder's weights and traced.
const truncate = `
import json, sys
import torch
import torch.nn as nn
x = json.load(sys.stdin)
for source, target in x['pairs']:
    m = torch.jit.load(source)
    p = {n[len('backbone.features.'):]: t.detach() for n, t in list(m.named_parameters()) + list(m.named_buffers()) if n.startswith('backbone.features.')}
    c1, c2 = p['0.weight'].shape[0], p['3.weight'].shape[0]
    seq = nn.Sequential(nn.Conv2d(1, c1, 3, 1, 1, bias=False), nn.BatchNorm2d(c1), nn.ReLU(),
                        nn.Conv2d(c1, c2, 3, 2, 1, bias=False), nn.BatchNorm2d(c2), nn.ReLU(), nn.Flatten(1))
    seq.load_state_dict({k: v for k, v in p.items() if int(k.split('.')[0]) < 6})
    seq.eval()
    torch.jit.trace(seq, torch.zeros(2, 1, 28, 28)).save(target)
`;

function firstImages(ds: ImageDataset, n: number) {
  const [, h, w, c] = ds.images.shape;
  return { data: ds.images.data.slice(0, n * h * w * c), shape: [n, h, w, c] };
}

describe('score/layers (LayerMem)', function () {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-layermem-'));
  let ds: ImageDataset;
  let f: Encoder;
  let g: Encoder;
  before(async () => {
    ds = await loadIdx(path.join(FIXTURE, 'train-1000-images-idx3-ubyte.gz'), path.join(FIXTURE, 'train-1000-labels-idx1-ubyte.gz'));
    f = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], width: 0.25, seed: 1 });
    g = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], width: 0.25, seed: 2 });
  });
  after(() => {
    f?.dispose();
    g?.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("the last layer equals score()'s plain forward passes bit for bit and its inference graph to rounding, in both modes and with adaptive views", async () => {
    const images = firstImages(ds, 7);
    for (const options of [{ views: 4 }, { mode: 'pairs' as const, views: 6 }, { views: 3, adaptive: { targetSe: 0, maxViews: 5, step: 1 } }]) {
      // Read-outs run the plain forward (the frozen graph has no intermediate layers to read).
      const base = await score({ f, g, images, seed: 5, batchSize: 3, graph: false, ...options });
      const graph = await score({ f, g, images, seed: 5, batchSize: 3, ...options });
      const layered = await scoreLayers({ f, g, images, seed: 5, batchSize: 3, layers: 'all', ...options });
      assert.deepEqual(layered.layers, ['conv1', 'conv2', 'conv3', 'fc']);
      const last = layered.perLayer[3];
      for (const key of ['lossF', 'lossG', 'm', 'se', 'count'] as const) assert.deepEqual(Array.from(last[key]), Array.from(base[key]), `${key} ${JSON.stringify(options)}`);
      graph.m.forEach((m, i) => assert.ok(Math.abs(m - last.m[i]) <= 1e-6, `m[${i}] ${m} vs ${last.m[i]}`));
      assert.deepEqual(Array.from(layered.views), Array.from(base.views));
      assert.ok(layered.perLayer[0].m.some((m, i) => m !== last.m[i]), 'other layers score differently');
    }
  });

  it("a layer's scores equal scoring a truncated copy of the encoders built by hand (1e-6)", async () => {
    const files = ['f', 'g'].map((name) => path.join(tmp, `${name}.sslmem`));
    await f.save(files[0]);
    await g.save(files[1]);
    const cut = ['f', 'g'].map((name) => path.join(tmp, `${name}-conv2.pt`));
    runOracleCode(truncate, { pairs: [[files[0], cut[0]], [files[1], cut[1]]] });
    const ft = await Encoder.loadTorchScript(cut[0], { inputShape: [1, 28, 28] });
    const gt = await Encoder.loadTorchScript(cut[1], { inputShape: [1, 28, 28] });
    const images = firstImages(ds, 6);
    const truncated = await score({ f: ft, g: gt, images, views: 5, seed: 8 });
    const layered = await scoreLayers({ f, g, images, views: 5, seed: 8, layers: ['conv2'] });
    for (const key of ['lossF', 'lossG', 'm', 'se'] as const) {
      layered.perLayer[0][key].forEach((v, i) => assert.ok(Math.abs(v - truncated[key][i]) <= 1e-6, `${key}[${i}]: ${v} vs ${truncated[key][i]}`));
    }
    ft.dispose();
    gt.dispose();
  });

  it('refuses layers that are not the encoders\' and encoders without read-outs', async () => {
    const images = firstImages(ds, 2);
    await assert.rejects(scoreLayers({ f, g, images, layers: ['conv2', 'nope'] }), (e: Error) => e instanceof RangeError && /options\.layers\[1\]/.test(e.message) && /conv1, conv2, conv3, fc/.test(e.message));
    await assert.rejects(scoreLayers({ f, g, images, layers: [] }), RangeError);
    const plain = { description: f.description, embedViews: f.embedViews.bind(f) };
    await assert.rejects(scoreLayers({ f: plain, g, images, layers: 'all' }), (e: Error) => /options\.f/.test(e.message) && /read-outs/.test(e.message));
  });

  it('sslmem score --layers writes layers.csv and layers.json; scores.csv equals a run without --layers on plain forward passes', async () => {
    const files = ['f', 'g'].map((name) => path.join(tmp, `cli-${name}.sslmem`));
    await f.save(files[0]);
    await g.save(files[1]);
    const demo = await openDataset('fashion-mnist-demo', { split: 'train' });
    const manifest = makeSplits({ n: demo.images.shape[0], sizes: { shared: 6, candidates: 6, independent: 6 }, seed: 2, datasetName: 'fashion-mnist-demo/train', fingerprint: datasetFingerprint(demo) });
    const manifestFile = path.join(tmp, 'manifest.json');
    writeManifest(manifestFile, manifest);
    const cli = (extra: string[], out: string) => spawnSync(process.execPath, [CLI, 'score', '--f', files[0], '--g', files[1], '--manifest', manifestFile, '--views', '3', '--quiet', '--out', path.join(tmp, out), ...extra], { encoding: 'utf8' });
    const plain = cli(['--no-graph'], 'plain');
    assert.equal(plain.status, 0, plain.stderr);
    const layered = cli(['--layers', 'conv1,conv3'], 'layered');
    assert.equal(layered.status, 0, layered.stderr);
    assert.ok(fs.readFileSync(path.join(tmp, 'layered', 'scores.csv')).equals(fs.readFileSync(path.join(tmp, 'plain', 'scores.csv'))));
    const csv = fs.readFileSync(path.join(tmp, 'layered', 'layers.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'index,group,label,conv1:L_f,conv1:L_g,conv1:m,conv1:se,conv1:count,conv3:L_f,conv3:L_g,conv3:m,conv3:se,conv3:count');
    assert.equal(csv.length, 1 + 18);
    const summary = JSON.parse(fs.readFileSync(path.join(tmp, 'layered', 'layers.json'), 'utf8'));
    assert.deepEqual(summary.layers, ['conv1', 'conv3']);
    assert.equal(summary.perLayer[1].delta.from, 'conv1');
    const bad = cli(['--layers', 'conv9'], 'bad');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /conv1, conv2, conv3, fc\) for options\.layers\[0\] but received "conv9"/);
  });

  const run: ScoreRunInfo = { mode: 'anchor', metric: 'l2-normalized', pairing: 'anchor', views: 4, pairsPerPoint: 4, adaptive: null, pipeline: {}, seed: 0, layers: ['a', 'b'] };
  // Hand-made points: candidates m = (0.1, 0.3) at layer a and (0.2, 0.6) at b; independent 0 then -0.1.
  const handPoints = (): PointScore[] =>
    [
      ['candidates', 0.1, 0.2],
      ['candidates', 0.3, 0.6],
      ['independent', 0, -0.1],
      ['independent', 0, -0.1],
    ].map(([group, a, b], i) => ({
      index: i,
      group: group as string,
      label: 0,
      lossF: 1,
      lossG: 1 + (b as number),
      m: b as number,
      se: 0.01,
      count: 4,
      layers: [
        { lossF: 1, lossG: 1 + (a as number), m: a as number, se: i === 0 ? NaN : 0.01, count: 4 },
        { lossF: 1, lossG: 1 + (b as number), m: b as number, se: 0.01, count: 4 },
      ],
    }));

  it('per-layer group statistics and ΔLayerMem equal hand-computed values', () => {
    const summary = summarizeLayers(handPoints(), run);
    assert.deepEqual(summary.layers, ['a', 'b']);
    const [a, b] = summary.perLayer;
    assert.ok(Math.abs(a.groups.candidates.mean - 0.2) < 1e-15);
    assert.ok(Math.abs(a.groups.candidates.se - Math.sqrt(0.02) / Math.sqrt(2)) < 1e-15); // std of (0.1, 0.3) = sqrt(0.02)
    assert.ok(Math.abs(b.groups.candidates.mean - 0.4) < 1e-15);
    assert.equal(a.delta, undefined);
    assert.equal(b.delta!.from, 'a');
    assert.ok(Math.abs(b.delta!.groups.candidates.mean - 0.2) < 1e-15); // (0.1 + 0.3) / 2
    assert.ok(Math.abs(b.delta!.groups.independent.mean + 0.1) < 1e-15);
    assert.equal(b.delta!.groups.independent.std, 0);
    assert.equal(b.comparisons[0].b, 'independent');
    assert.ok(b.comparisons[0].welch.difference > 0);
    const csv = layersCsv(handPoints(), run).split('\n');
    assert.equal(csv[0], 'index,group,label,a:L_f,a:L_g,a:m,a:se,a:count,b:L_f,b:L_g,b:m,b:se,b:count');
    assert.equal(csv[1], '0,candidates,0,1,1.1,0.1,NaN,4,1,1.2,0.2,0.01,4');
    const svg = layerChart(summary);
    assert.match(svg, /<svg/);
    assert.equal((svg.match(/candidates, b: mean m 0\.4000/g) ?? []).length, 1);
  });

  it('sharded parts with layers merge into exactly the unsharded files', () => {
    const points = handPoints();
    const whole = path.join(tmp, 'whole');
    const merged = path.join(tmp, 'merged');
    writeScoreOutputs(whole, finalizeScores(points, run));
    const parts = [0, 1].map((i) => {
      const file = path.join(tmp, `part-${i}-of-2.json`);
      writePart(file, { format: 'sslmem-scores-part/1', shard: { index: i, count: 2 }, total: 4, run, points: points.slice(2 * i, 2 * i + 2) });
      return readPart(file);
    });
    assert.ok(Number.isNaN(parts[0].points[0].layers![0].se), 'NaN comes back from JSON null');
    const joined = mergeParts(parts);
    writeScoreOutputs(merged, finalizeScores(joined.points, joined.run));
    for (const file of ['layers.csv', 'layers.json', 'summary.txt', 'scores.csv']) {
      assert.equal(fs.readFileSync(path.join(merged, file), 'utf8'), fs.readFileSync(path.join(whole, file), 'utf8'), file);
    }
    assert.match(fs.readFileSync(path.join(whole, 'summary.txt'), 'utf8'), /LayerMem: mean m per layer/);
  });
});
