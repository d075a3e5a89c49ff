/**
 * The ViT backbones (native/torch/encoders/vit.cc) against a Vision Transformer written here in
 * plain PyTorch from the paper (Dosovitskiy et al. 2021, pre-norm blocks; MAE's 2-D sine-cosine
 * table computed as MAE's NumPy code does), with the same weights read from the saved encoder file;
 * and a ViT traced in PyTorch imported as TorchScript.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Encoder, findArchitecture } from '../../lib';
import { maxAbsDiff, runOracleCode, seededFloats } from '../train/helpers';

const oracle = `
import json, math, sys
import numpy as np
import torch
import torch.nn.functional as F

class ReferenceViT(torch.nn.Module):
    """x [B, C, H, W] -> representation; weights in a dict keyed as sslmem names them."""
    def __init__(self, p, heads, patch, depth, representation):
        super().__init__()
        self.p = torch.nn.ParameterDict({k.replace('.', '__'): torch.nn.Parameter(v) for k, v in p.items()})
        self.heads, self.patch, self.depth, self.representation = heads, patch, depth, representation
    def w(self, name):
        return self.p[name.replace('.', '__')]
    def forward(self, x):
        b = x.shape[0]
        ln = lambda t, n: F.layer_norm(t, (t.shape[-1],), self.w(n + '.weight'), self.w(n + '.bias'), eps=1e-6)
        lin = lambda t, n: t @ self.w(n + '.weight').T + self.w(n + '.bias')
        t = F.conv2d(x, self.w('patch_embed.weight'), self.w('patch_embed.bias'), stride=self.patch).flatten(2).transpose(1, 2)
        t = torch.cat([self.w('cls_token').expand(b, -1, -1), t], 1) + self.w('pos_embed')
        d = t.shape[-1]; dh = d // self.heads
        for i in range(self.depth):
            y = lin(ln(t, f'blocks.{i}.norm1'), f'blocks.{i}.attn.qkv')
            q, k, v = [z.reshape(b, -1, self.heads, dh).transpose(1, 2) for z in y.split(d, dim=-1)]
            a = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(dh), -1)
            t = t + lin((a @ v).transpose(1, 2).reshape(b, -1, d), f'blocks.{i}.attn.proj')
            t = t + lin(F.gelu(lin(ln(t, f'blocks.{i}.norm2'), f'blocks.{i}.fc1')), f'blocks.{i}.fc2')
        t = ln(t, 'norm')
        if self.representation == 'cls': return t[:, 0]
        if self.representation == 'mean': return t[:, 1:].mean(1)
        return t.flatten(1)

def mae_sincos(dim, rows, cols):
    # MAE's get_2d_sincos_pos_embed generalised to rows x cols: meshgrid(w, h), emb_h from grid[0].
    def one(d, pos):
        omega = 1. / 10000 ** (np.arange(d // 2, dtype=np.float64) / (d / 2.))
        out = np.einsum('m,d->md', pos.reshape(-1), omega)
        return np.concatenate([np.sin(out), np.cos(out)], axis=1)
    grid = np.stack(np.meshgrid(np.arange(cols, dtype=np.float32), np.arange(rows, dtype=np.float32)), axis=0)
    table = np.concatenate([one(dim // 2, grid[0]), one(dim // 2, grid[1])], axis=1)
    return np.concatenate([np.zeros([1, dim]), table], axis=0)

x = json.load(sys.stdin)
images = torch.tensor(x['images'], dtype=torch.float32).reshape(x['shape'])
if x['mode'] == 'compare':
    m = torch.jit.load(x['file'])
    p = {n[len('backbone.'):]: t.detach() for n, t in list(m.named_parameters()) + list(m.named_buffers())}
    model = ReferenceViT(p, x['heads'], x['patch'], x['depth'], x['representation'])
    out = {'embeddings': model(images).detach().reshape(-1).tolist()}
    if x.get('sincos'):
        rows, cols = x['shape'][2] // x['patch'], x['shape'][3] // x['patch']
        out['sincosError'] = float(np.abs(p['pos_embed'][0].numpy() - mae_sincos(p['pos_embed'].shape[-1], rows, cols)).max())
    print(json.dumps(out))
else:
    torch.manual_seed(0)
    d, heads, patch, depth = 48, 3, 4, 2
    n = (x['shape'][2] // patch) * (x['shape'][3] // patch)
    shapes = {'patch_embed.weight': (d, x['shape'][1], patch, patch), 'patch_embed.bias': (d,), 'cls_token': (1, 1, d), 'pos_embed': (1, 1 + n, d), 'norm.weight': (d,), 'norm.bias': (d,)}
    for i in range(depth):
        for name, shape in [('norm1', (d,)), ('norm2', (d,))]:
            shapes[f'blocks.{i}.{name}.weight'] = shape; shapes[f'blocks.{i}.{name}.bias'] = shape
        for name, (o, k) in [('attn.qkv', (3 * d, d)), ('attn.proj', (d, d)), ('fc1', (4 * d, d)), ('fc2', (d, 4 * d))]:
            shapes[f'blocks.{i}.{name}.weight'] = (o, k); shapes[f'blocks.{i}.{name}.bias'] = (o,)
    model = ReferenceViT({k: torch.randn(s) * 0.2 for k, s in shapes.items()}, heads, patch, depth, 'mean').eval()
    torch.jit.trace(model, images).save(x['file'])
    print(json.dumps({'embeddings': model(images).detach().reshape(-1).tolist()}))
`;

describe('encoder: ViT (vit-tiny, vit-small)', function () {
  this.timeout(120_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-vit-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const cases = [
    { architecture: 'vit-tiny', heads: 3, shape: [3, 3, 8, 12], settings: { patch: 4, depth: 2, position: 'learned', representation: 'cls' } },
    { architecture: 'vit-tiny', heads: 3, shape: [2, 1, 28, 28], settings: { patch: 7, depth: 3, position: 'sincos', representation: 'mean' } },
    { architecture: 'vit-small', heads: 6, shape: [2, 3, 8, 8], settings: { patch: 2, depth: 1, position: 'sincos', representation: 'tokens' } },
  ];

  for (const c of cases) {
    const s = c.settings;
    it(`${c.architecture}, patch ${s.patch}, ${s.position} positions, ${s.representation}: the PyTorch reference with the same weights (1e-5)`, async () => {
      const [n, ch, h, w] = c.shape;
      const encoder = Encoder.create({ architecture: c.architecture, inputShape: [ch, h, w], seed: 3, settings: s });
      const file = path.join(tmp, `${c.architecture}-${s.representation}.sslmem`);
      await encoder.save(file);
      const views = { data: seededFloats(n * ch * h * w, 9), shape: [n, ch, h, w] };
      const ours = await encoder.embedViews(views);
      const reference = runOracleCode<{ embeddings: number[]; sincosError?: number }>(oracle, {
        mode: 'compare', file, images: Array.from(views.data), shape: c.shape, heads: c.heads, patch: s.patch, depth: s.depth, representation: s.representation, sincos: s.position === 'sincos',
      });
      const tokens = 1 + (h / s.patch) * (w / s.patch);
      const dim = c.heads * 64;
      assert.deepEqual(ours.shape, [n, s.representation === 'tokens' ? tokens * dim : dim]);
      assert.equal(encoder.description.reprDim, ours.shape[1]);
      assert.ok(maxAbsDiff(ours.data, reference.embeddings) < 1e-5, `max difference ${maxAbsDiff(ours.data, reference.embeddings)}`);
      if (reference.sincosError !== undefined) assert.ok(reference.sincosError < 1e-6, `sin-cos table off by ${reference.sincosError}`);
      // The settings travel with the file: a reload is the same encoder.
      const loaded = await Encoder.load(file);
      assert.deepEqual(loaded.description.settings, { patch: String(s.patch), depth: String(s.depth), position: s.position, representation: s.representation });
      assert.equal(maxAbsDiff((await loaded.embedViews(views)).data, ours.data), 0);
      encoder.dispose();
      loaded.dispose();
    });
  }

  it('imports a ViT traced in PyTorch as TorchScript and gives its embeddings (1e-5)', async () => {
    const file = path.join(tmp, 'traced-vit.pt');
    const shape = [2, 3, 16, 16];
    const views = { data: seededFloats(2 * 3 * 16 * 16, 4), shape };
    const reference = runOracleCode<{ embeddings: number[] }>(oracle, { mode: 'export', file, images: Array.from(views.data), shape });
    const encoder = await Encoder.loadTorchScript(file, { inputShape: [3, 16, 16] });
    const ours = await encoder.embedViews(views);
    assert.deepEqual(ours.shape, [2, 48]);
    assert.ok(maxAbsDiff(ours.data, reference.embeddings) < 1e-5, `max difference ${maxAbsDiff(ours.data, reference.embeddings)}`);
    encoder.dispose();
  });

  it('lists its settings with defaults, and refuses unknown settings, bad choices and patches that do not divide the input', () => {
    const info = findArchitecture('vit-tiny', 'architecture');
    assert.deepEqual(info.settings.map((x) => [x.name, x.default]), [['patch', '4'], ['depth', '12'], ['position', 'learned'], ['representation', 'cls']]);
    const create = (settings: Record<string, string | number>, inputShape: [number, number, number] = [1, 28, 28]) => () =>
      Encoder.create({ architecture: 'vit-tiny', inputShape, settings });
    assert.throws(create({ heads: 4 }), (e: Error) => e instanceof RangeError && /settings\.heads/.test(e.message) && /patch, depth, position, representation/.test(e.message));
    assert.throws(create({ representation: 'pooled' }), (e: Error) => e instanceof RangeError && /one of "cls", "mean", "tokens"/.test(e.message));
    assert.throws(create({ patch: 0 }), (e: Error) => e instanceof RangeError && /positive integer/.test(e.message));
    assert.throws(create({ patch: 5, depth: 1 }), (e: Error) => e instanceof RangeError && /dividing the input \(28x28\)/.test(e.message));
    assert.throws(() => Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], settings: { patch: 4 } }), (e: Error) => e instanceof RangeError && /small-cnn has none/.test(e.message));
  });
});
