import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Encoder, listArchitectures } from '../../lib';
import type { Float32Tensor } from '../../lib';
import { maxAbsDiff, runOracleCode } from '../train/helpers';
import { mulberry32 } from '../support/mulberry32';

function views(m: number, c: number, size: number, seed = 1): Float32Tensor {
  const random = mulberry32(seed);
  return { data: Float32Array.from({ length: m * c * size * size }, () => 2 * random() - 1), shape: [m, c, size, size] };
}

function maxAbs(data: Float32Array): number {
  return data.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
}

// TorchScript fixtures made by PyTorch: a conv-BN-ReLU net whose batch norm has non-trivial running
// statistics (what folding changes), and one whose forward draws random numbers, which no frozen
// graph can reproduce (the check against the eager forward must catch it).
const makeModules = `
import json, sys
import torch
from torch import nn
out = json.load(sys.stdin)['dir']
torch.manual_seed(0)
net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 8 * 8, 16), nn.BatchNorm1d(16))
for m in net.modules():
    if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)):
        m.running_mean.uniform_(-0.5, 0.5); m.running_var.uniform_(0.5, 2.0); m.weight.data.uniform_(0.5, 1.5); m.bias.data.uniform_(-0.2, 0.2)
torch.jit.trace(net.eval(), torch.zeros(2, 3, 16, 16)).save(out + '/bn.pt')
class Noisy(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3 * 16 * 16, 4)
    def forward(self, x):
        y = self.fc(x.flatten(1))
        return y + torch.rand_like(y)
torch.jit.trace(Noisy().eval(), torch.zeros(2, 3, 16, 16), check_trace=False).save(out + '/noisy.pt')
`;

describe('encoder inference graphs (frozen, batch norm folded)', function () {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-inference-'));
  before(() => runOracleCode(makeModules, { dir: tmp }));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('every architecture: the graph gives the plain forward pass to float rounding (1e-5 relative) and says so', async () => {
    for (const a of listArchitectures()) {
      const settings = a.name.startsWith('vit') ? { depth: 2 } : undefined;
      const encoder = Encoder.create({ architecture: a.name, inputShape: [1, 16, 16], width: 0.25, seed: 3, settings });
      try {
        assert.equal(encoder.inference, 'eager', `${a.name}: nothing ran yet`);
        const input = views(5, 1, 16);
        const plain = await encoder.embedViews(input, { graph: false });
        assert.equal(encoder.inference, 'eager', `${a.name}: graph: false builds no graph`);
        const graph = await encoder.embedViews(input);
        assert.equal(encoder.inference, 'graph', a.name);
        const diff = maxAbsDiff(graph.data, plain.data);
        assert.ok(diff <= 1e-5 * Math.max(1, maxAbs(plain.data)), `${a.name}: ${diff}`);
        // The cached graph runs again with the same result.
        assert.equal(maxAbsDiff((await encoder.embedViews(input)).data, graph.data), 0, a.name);
      } finally {
        encoder.dispose();
      }
    }
  });

  it('a TorchScript net with batch norm: the graph gives PyTorch eval mode\'s output (1e-5)', async () => {
    const encoder = await Encoder.loadTorchScript(path.join(tmp, 'bn.pt'), { inputShape: [3, 16, 16] });
    const input = views(6, 3, 16, 2);
    const expected = runOracleCode<number[]>(
      `
import json, sys
import torch
x = json.load(sys.stdin)
m = torch.jit.load(x['file']).eval()
with torch.no_grad():
    print(json.dumps(m(torch.tensor(x['data']).view(x['shape'])).flatten().tolist()))
`,
      { file: path.join(tmp, 'bn.pt'), data: Array.from(input.data), shape: input.shape },
    );
    const graph = await encoder.embedViews(input);
    assert.equal(encoder.inference, 'graph');
    assert.ok(maxAbsDiff(graph.data, expected) <= 1e-5 * Math.max(1, maxAbs(graph.data)), `max diff ${maxAbsDiff(graph.data, expected)}`);
    encoder.dispose();
  });

  it('a graph that disagrees with the plain forward is given up for good: the results are the plain forward\'s', async () => {
    const encoder = await Encoder.loadTorchScript(path.join(tmp, 'noisy.pt'), { inputShape: [3, 16, 16] });
    await encoder.embedViews(views(3, 3, 16));
    assert.match(encoder.inference, /^eager: the graph was dropped: its output differs from the eager forward's by up to \d/);
    // Another shape builds nothing more: the encoder stays on its plain forward.
    await encoder.embedViews(views(4, 3, 16));
    assert.match(encoder.inference, /^eager: the graph was dropped/);
    encoder.dispose();
  });

  it("groups: no forward pass spans two groups, so a group's rows do not depend on its neighbours", async () => {
    const encoder = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 16, 16], width: 0.5, seed: 5 });
    const a = views(6, 1, 16, 7);
    const b = views(6, 1, 16, 8);
    const together = { data: new Float32Array([...a.data, ...b.data]), shape: [12, 1, 16, 16] };
    const both = await encoder.embedViews(together, { group: 6 });
    const alone = await encoder.embedViews(a, { group: 6 });
    const d = encoder.reprDim;
    assert.equal(maxAbsDiff(both.data.subarray(0, 6 * d), alone.data), 0);
    // A group is cut into its fewest even pieces of at most batchSize rows: 6 rows at most 4 -> 3 + 3.
    const pieces = await encoder.embedViews(a, { group: 6, batchSize: 4 });
    const first = await encoder.embedViews({ data: a.data.subarray(0, 3 * 256), shape: [3, 1, 16, 16] });
    assert.equal(maxAbsDiff(pieces.data.subarray(0, 3 * d), first.data), 0);
    await assert.rejects(encoder.embedViews(together, { group: 5 }), (e: Error) => e instanceof RangeError && /options\.group/.test(e.message) && /divisor of views\.shape\[0\] \(12\)/.test(e.message));
    encoder.dispose();
  });

  it('bf16 changes the representation by bfloat16 rounding, fp32 not at all; bad options are refused', async () => {
    const encoder = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 16, 16], seed: 6 });
    const input = views(4, 1, 16, 9);
    const fp32 = await encoder.embedViews(input, { graph: false });
    const bf16 = await encoder.embedViews(input, { precision: 'bf16' });
    const scale = maxAbs(fp32.data);
    const diff = maxAbsDiff(bf16.data, fp32.data);
    // bfloat16 keeps 8 significant bits (relative rounding 2^-9 = 0.002 per product input).
    assert.ok(diff > 1e-5 * scale && diff < 0.05 * scale, `bf16 differs by ${diff} at scale ${scale}`);
    await assert.rejects(encoder.embedViews(input, { precision: 'fp16' as never }), (e: Error) => e instanceof RangeError && /options\.precision/.test(e.message));
    await assert.rejects(encoder.embedViews(input, { graph: 1 as never }), (e: Error) => e instanceof TypeError && /options\.graph/.test(e.message));
    await assert.rejects(encoder.embedViews(input, { threads: -1 }), (e: Error) => e instanceof RangeError && /options\.threads/.test(e.message));
    encoder.dispose();
  });
});
