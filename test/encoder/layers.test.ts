/**
 * Layer read-outs (native/torch/layer_readout.cc): every registered architecture names its layers
 * (a ViT's follow its depth), the last is the representation bit for bit, and intermediate outputs
 * equal PyTorch's on the same weights (small-cnn rebuilt by hand from the saved file; a traced
 * TorchScript model's children; a scripted model's nested submodules by dotted path).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Encoder, listArchitectures } from '../../lib';
import { maxAbsDiff, runOracle, runOracleCode, seededFloats } from '../train/helpers';

const oracle = `
import json, sys
import torch
import torch.nn as nn
x = json.load(sys.stdin)
images = torch.tensor(x['images'], dtype=torch.float32).reshape(x['shape'])
if x['mode'] == 'small-cnn':
    # small-cnn's three conv3x3-BN-ReLU units and its linear layer, rebuilt from the saved weights.
    p = {n[len('backbone.'):]: t.detach() for n, t in list(torch.jit.load(x['file']).named_parameters()) + list(torch.jit.load(x['file']).named_buffers())}
    c1, c2 = p['features.0.weight'].shape[0], p['features.3.weight'].shape[0]
    seq = nn.Sequential(nn.Conv2d(1, c1, 3, 1, 1, bias=False), nn.BatchNorm2d(c1), nn.ReLU(),
                        nn.Conv2d(c1, c2, 3, 2, 1, bias=False), nn.BatchNorm2d(c2), nn.ReLU(),
                        nn.Conv2d(c2, c2, 3, 2, 1, bias=False), nn.BatchNorm2d(c2), nn.ReLU())
    seq.load_state_dict({k[len('features.'):]: v for k, v in p.items() if k.startswith('features.')}, strict=False)
    seq.eval()
    out, t = {}, images
    for i, name in enumerate(['conv1', 'conv2', 'conv3']):
        t = seq[3 * i: 3 * i + 3](t)
        out[name] = t.flatten(1).reshape(-1).tolist()
    out['fc'] = (t.flatten(1) @ p['fc.weight'].T + p['fc.bias']).reshape(-1).tolist()
    print(json.dumps(out))
else:
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU())
            self.body = nn.Conv2d(4, 6, 3, stride=2, padding=1)
            self.head = nn.Linear(6 * 14 * 14, 10)
        def forward(self, x):
            y = self.body(self.stem(x))
            return self.head(torch.relu(y).flatten(1)) * 2
    torch.manual_seed(3)
    net = Net().eval()
    torch.jit.trace(net, images).save(x['file'])
    s = net.stem(images); b = net.body(s)
    print(json.dumps({'stem': s.flatten(1).reshape(-1).tolist(), 'body': b.flatten(1).reshape(-1).tolist(), 'output': net(images).reshape(-1).tolist()}))
`;

describe('encoder layer read-outs', function () {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-layers-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const views = (n: number, size = 28) => ({ data: seededFloats(n * size * size, 5), shape: [n, 1, size, size] });

  it('every architecture names its layers; the last one is the representation, bit for bit', async () => {
    const expected: Record<string, string[]> = {
      'small-cnn': ['conv1', 'conv2', 'conv3', 'fc'],
      'pooled-cnn': ['stage1', 'stage2', 'stage3', 'fc'],
      resnet9: ['prep', 'layer1', 'res1', 'layer2', 'layer3', 'res3', 'pool'],
      resnet18: ['stem', 'layer1', 'layer2', 'layer3', 'layer4', 'pool'],
    };
    for (const a of listArchitectures()) {
      const settings = a.name.startsWith('vit') ? { depth: 2 } : undefined;
      const encoder = Encoder.create({ architecture: a.name, inputShape: [1, 16, 16], width: 0.25, seed: 4, settings });
      try {
        const layers = encoder.layers;
        if (expected[a.name]) assert.deepEqual(layers, expected[a.name]);
        else assert.deepEqual(layers, ['patch_embed', 'block1', 'block2', 'norm'], a.name);
        const input = views(3, 16);
        const all = await encoder.embedViewsLayers(input, layers, { batchSize: 2 });
        assert.equal(all.length, layers.length);
        all.forEach((t) => assert.equal(t.shape[0], 3));
        const repr = await encoder.embedViews(input, { batchSize: 2, graph: false });
        assert.deepEqual(all[all.length - 1].shape, repr.shape, a.name);
        assert.ok(Buffer.from(all[all.length - 1].data.buffer).equals(Buffer.from(repr.data.buffer)), `${a.name}: last layer differs from embedViews`);
        // Asking for one layer alone gives the same values as asking for all of them.
        const one = await encoder.embedViewsLayers(input, [layers[1]], { batchSize: 2 });
        assert.equal(maxAbsDiff(one[0].data, all[1].data), 0, a.name);
      } finally {
        encoder.dispose();
      }
    }
  });

  it("a ViT's layers follow its depth setting", () => {
    const vit = Encoder.create({ architecture: 'vit-tiny', inputShape: [1, 8, 8], width: 0.25, settings: { depth: 3 } });
    assert.deepEqual(vit.layers, ['patch_embed', 'block1', 'block2', 'block3', 'norm']);
    vit.dispose();
    assert.equal(listArchitectures().find((a) => a.name === 'vit-tiny')!.layers.length, 14, 'the catalog lists the default depth 12');
  });

  it("small-cnn's layers equal PyTorch's units rebuilt from the saved weights (1e-5)", async () => {
    const encoder = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], width: 0.25, seed: 11 });
    const file = path.join(tmp, 'small.sslmem');
    await encoder.save(file);
    const input = views(4);
    const ours = await encoder.embedViewsLayers(input, ['conv1', 'conv2', 'conv3', 'fc']);
    const theirs = runOracleCode<Record<string, number[]>>(oracle, { mode: 'small-cnn', file, images: Array.from(input.data), shape: input.shape });
    ['conv1', 'conv2', 'conv3', 'fc'].forEach((name, l) => assert.ok(maxAbsDiff(ours[l].data, theirs[name]) < 1e-5, `${name}: ${maxAbsDiff(ours[l].data, theirs[name])}`));
    assert.deepEqual(ours[0].shape, [4, 8 * 28 * 28]);
    encoder.dispose();
  });

  it("a TorchScript import reads the children its forward calls, then 'output'", async () => {
    const file = path.join(tmp, 'net.pt');
    const input = views(3);
    const theirs = runOracleCode<Record<string, number[]>>(oracle, { mode: 'torchscript', file, images: Array.from(input.data), shape: input.shape });
    const encoder = await Encoder.loadTorchScript(file, { inputShape: [1, 28, 28] });
    assert.deepEqual(encoder.layers, ['stem', 'body', 'head', 'output']);
    const ours = await encoder.embedViewsLayers(input, ['body', 'stem', 'output'], { batchSize: 2 });
    assert.ok(maxAbsDiff(ours[0].data, theirs.body) < 1e-5);
    assert.ok(maxAbsDiff(ours[1].data, theirs.stem) < 1e-5);
    assert.ok(maxAbsDiff(ours[2].data, theirs.output) < 1e-5);
    const repr = await encoder.embedViews(input, { batchSize: 2, graph: false });
    assert.equal(maxAbsDiff(ours[2].data, repr.data), 0);
    await assert.rejects(encoder.embedViewsLayers(input, ['stem', 'nope']), (e: Error) => e instanceof RangeError && /layers\[1\]/.test(e.message) && /stem, body, head, output/.test(e.message));
    encoder.dispose();
  });

  it('a TorchScript import reads nested submodules by dotted path, equal to PyTorch (1e-6), and refuses paths that are not one output, naming the entry', async () => {
    const file = path.join(tmp, 'nested.pt');
    const input = views(3);
    const theirs = runOracle<Record<string, number[]>>('nested_torchscript.py', { file, images: Array.from(input.data), shape: input.shape });
    const encoder = await Encoder.loadTorchScript(file, { inputShape: [1, 28, 28] });
    try {
      assert.deepEqual(encoder.layers, ['stem', 'layer1', 'head', 'output'], 'the list stays the direct children');
      // A direct child and paths into it in one request: the outputs stay right whatever is inlined first.
      const names = ['layer1.1.conv', 'stem.0', 'layer1', 'layer1.0', 'output'];
      const ours = await encoder.embedViewsLayers(input, names, { batchSize: 2 });
      names.forEach((name, l) => {
        assert.equal(ours[l].data.length, theirs[name].length, name);
        assert.ok(maxAbsDiff(ours[l].data, theirs[name]) < 1e-6, `${name}: ${maxAbsDiff(ours[l].data, theirs[name])}`);
      });
      assert.deepEqual(ours[3].shape, [3, 4 * 28 * 28]);
      assert.equal(maxAbsDiff(ours[4].data, (await encoder.embedViews(input, { batchSize: 2, graph: false })).data), 0, 'output is forward\'s result, bit for bit');
      assert.ok(encoder.hasLayer('layer1.0') && encoder.hasLayer('stem.1') && encoder.hasLayer('output'));
      for (const bad of ['layer1.5', 'layer1.0.act', 'head.weight', 'layer1.', '.stem', 'output.x']) assert.equal(encoder.hasLayer(bad), false, bad);
      for (const [bad, why] of [['layer1.5', 'no such child'], ['layer1.0.act', 'called twice']]) {
        await assert.rejects(
          encoder.embedViewsLayers(input, ['stem', bad]),
          (e: Error) => e instanceof RangeError && /layers\[1\]/.test(e.message) && /dotted path/.test(e.message) && e.message.includes(`"${bad}"`),
          why,
        );
      }
      // UnitMem takes the same paths (its per-unit statistics need only the read-out).
      const { unitMem } = await import('../../lib/unitmem');
      const images = { data: new Uint8Array(4 * 28 * 28).map((_, i) => (i * 31) % 256), shape: [4, 28, 28, 1] };
      const run = await unitMem({ encoder, images, layers: ['layer1.0'], views: 2 });
      assert.equal(run.states[0].units, 4, 'a conv output\'s units are its channels');
      await assert.rejects(unitMem({ encoder, images, layers: ['layer1.9'], views: 2 }), /options\.layers\[0\]/);
    } finally {
      encoder.dispose();
    }
  });
});
