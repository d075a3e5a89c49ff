/**
 * MoCo v3 (native/torch/methods/moco_v3.cc) against its paper's pseudocode (Chen, Xie & He 2021,
 * Algorithm 1: ctr(q, k) = CrossEntropy(q k^T / tau, arange) * 2 tau) as plain Python loops and in
 * PyTorch, closed cases, and training with its momentum encoder.
 */
import { strict as assert } from 'node:assert';
import { torch } from '../../lib/binding';
import { knnAgainstRandom, rows, runOracleCode, seededFloats } from './helpers';

const oracle = `
import json, math, sys
import torch
import torch.nn.functional as F
x = json.load(sys.stdin)
t = x['temperature']
def manual(q, k):
    unit = lambda v: [a / math.sqrt(sum(b * b for b in v)) for a in v]
    q, k = [unit(v) for v in q], [unit(v) for v in k]
    n = len(q)
    total = 0.0
    for i in range(n):
        logits = [sum(a * b for a, b in zip(q[i], k[j])) / t for j in range(n)]
        total += -logits[i] + math.log(sum(math.exp(l) for l in logits))
    return total / n * 2 * t
def with_torch(q, k):
    q = F.normalize(torch.tensor(q, dtype=torch.float64), dim=1)
    k = F.normalize(torch.tensor(k, dtype=torch.float64), dim=1)
    return float(F.cross_entropy(q @ k.T / t, torch.arange(q.shape[0])) * 2 * t)
print(json.dumps({'manual': manual(x['q'], x['k']), 'torch': with_torch(x['q'], x['k'])}))
`;

describe('MoCo v3', function () {
  this.timeout(600_000);
  const n = 6;
  const d = 5;
  const q = { data: seededFloats(n * d, 31), shape: [n, d] };
  const k = { data: seededFloats(n * d, 32), shape: [n, d] };
  const loss = (a: typeof q, b: typeof q, options: Record<string, number> = {}) => torch().sslLoss('moco-v3', [a, b], options);

  it("matches the paper's pseudocode and PyTorch, at the default temperature and another", () => {
    for (const temperature of [1, 0.2]) {
      const expected = runOracleCode<{ manual: number; torch: number }>(oracle, { q: rows(q.data, n, d), k: rows(k.data, n, d), temperature });
      const ours = temperature === 1 ? loss(q, k) : loss(q, k, { temperature });
      assert.ok(Math.abs(ours - expected.manual) <= 1e-5 * Math.max(1, expected.manual), `tau ${temperature}: ${ours} vs manual ${expected.manual}`);
      assert.ok(Math.abs(ours - expected.torch) <= 1e-5 * Math.max(1, expected.torch), `tau ${temperature}: ${ours} vs PyTorch ${expected.torch}`);
    }
  });

  it('has the closed form 2 tau log(1 + (B - 1) e^(-1/tau)) for orthonormal keys equal to the queries', () => {
    const b = 4;
    const eye = { data: new Float32Array(b * b).map((_, i) => (i % (b + 1) === 0 ? 1 : 0)), shape: [b, b] };
    for (const t of [0.2, 1]) {
      const expected = 2 * t * Math.log(1 + (b - 1) * Math.exp(-1 / t));
      assert.ok(Math.abs(loss(eye, eye, { temperature: t }) - expected) < 1e-5, `tau ${t}`);
    }
  });

  it('trains with its momentum encoder on 1,000 Fashion-MNIST images and beats a random encoder in kNN accuracy', async () => {
    // Settings from a trial (docs/methods.md): 20 epochs, Adam 1e-3, small heads, tau 0.2.
    const r = await knnAgainstRandom('moco-v3', { projectorDims: [256, 64], predictorDims: [256, 64], temperature: 0.2 }, { epochs: 20, lr: 1e-3 });
    console.log(`      kNN accuracy: trained ${r.trained.toFixed(3)}, random ${r.random.toFixed(3)}, loss ${r.losses[0].toFixed(3)} -> ${r.losses.at(-1)!.toFixed(3)}`);
    assert.ok(r.losses.at(-1)! < r.losses[0], 'the loss falls');
    assert.ok(r.trained >= r.random + 0.03, `trained ${r.trained} should beat random ${r.random} by 0.03`);
  });
});
