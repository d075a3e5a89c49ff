import { strict as assert } from 'node:assert';
import { torch } from '../../lib/binding';
import { rows, runOracle, seededFloats } from './helpers';

type Oracle = Record<string, { manual: number; torch?: number }>;

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

describe('SSL losses (native/torch/losses.h)', function () {

  const n = 6;
  const d = 5;
  const z1 = { data: seededFloats(n * d, 1), shape: [n, d] };
  const z2 = { data: seededFloats(n * d, 2), shape: [n, d] };
  const p1 = { data: seededFloats(n * d, 3), shape: [n, d] };
  const p2 = { data: seededFloats(n * d, 4), shape: [n, d] };
  const temperature = 0.3;
  let oracle: Oracle;

  before(function () {
    oracle = runOracle<Oracle>('ssl_losses.py', {
      z1: rows(z1.data, n, d), z2: rows(z2.data, n, d), p1: rows(p1.data, n, d), p2: rows(p2.data, n, d), temperature,
    });
  });

  const loss = (name: Parameters<ReturnType<typeof torch>['sslLoss']>[0], inputs: typeof z1[], options: Record<string, number> = {}) =>
    torch().sslLoss(name, inputs, options);

  it('every loss matches the paper-pseudocode implementation and PyTorch on fixed inputs', () => {
    const ours: Record<string, number> = {
      'nt-xent': loss('nt-xent', [z1, z2], { temperature }),
      byol: loss('byol', [p1, z2]),
      simsiam: loss('simsiam', [p1, p2, z1, z2]),
      vicreg: loss('vicreg', [z1, z2]),
      'vicreg-invariance': loss('vicreg-invariance', [z1, z2]),
      'vicreg-variance': loss('vicreg-variance', [z1]),
      'vicreg-covariance': loss('vicreg-covariance', [z1]),
    };
    for (const [name, value] of Object.entries(ours)) {
      close(value, oracle[name].manual, 1e-5, `${name} vs manual`);
      if (oracle[name].torch !== undefined) close(value, oracle[name].torch!, 1e-5, `${name} vs PyTorch`);
    }
  });

  it('NT-Xent with identical orthonormal views has the closed form log(1 + (2B - 2) e^(-1/t))', () => {
    const b = 4;
    const eye = new Float32Array(b * b);
    for (let i = 0; i < b; i++) eye[i * b + i] = 1;
    const z = { data: eye, shape: [b, b] };
    for (const t of [0.1, 0.5, 1]) {
      close(loss('nt-xent', [z, z], { temperature: t }), Math.log(1 + (2 * b - 2) * Math.exp(-1 / t)), 1e-6, `t=${t}`);
    }
  });

  it('NT-Xent and SimSiam are symmetric in the two views; BYOL is 0 when prediction equals target', () => {
    close(loss('nt-xent', [z1, z2], { temperature }), loss('nt-xent', [z2, z1], { temperature }), 1e-6, 'nt-xent swap');
    close(loss('simsiam', [p1, p2, z1, z2]), loss('simsiam', [p2, p1, z2, z1]), 1e-6, 'simsiam swap');
    close(loss('byol', [z1, z1]), 0, 1e-6, 'byol identical');
    // Scaling does not matter to cosine losses.
    const scaled = { data: z2.data.map((v) => 3 * v), shape: z2.shape };
    close(loss('byol', [p1, scaled]), loss('byol', [p1, z2]), 1e-6, 'byol scale');
  });

  it('VICReg terms: constant features have variance term 1 - sqrt(eps) and zero covariance', () => {
    const constant = { data: new Float32Array(n * d).fill(0.7), shape: [n, d] };
    close(loss('vicreg-variance', [constant]), 1 - Math.sqrt(1e-4), 1e-6, 'variance');
    close(loss('vicreg-covariance', [constant]), 0, 1e-9, 'covariance');
    close(loss('vicreg-invariance', [z1, z1]), 0, 1e-9, 'invariance');
    // Weighted sum: 25 inv + 25 (v1 + v2) / 2 + (c1 + c2).
    const total = 25 * loss('vicreg-invariance', [z1, z2]) + 25 * (loss('vicreg-variance', [z1]) + loss('vicreg-variance', [z2])) / 2 +
      loss('vicreg-covariance', [z1]) + loss('vicreg-covariance', [z2]);
    close(loss('vicreg', [z1, z2]), total, 1e-6, 'vicreg sum');
  });

  it('rejects mismatched shapes and batch size 1 for NT-Xent', () => {
    assert.throws(() => loss('nt-xent', [z1, { data: new Float32Array(d), shape: [1, d] }]), RangeError);
    const one = { data: new Float32Array(d).fill(1), shape: [1, d] };
    assert.throws(() => loss('nt-xent', [one, one]), /batch size/);
  });
});

describe('BYOL momentum and the learning-rate schedule', function () {

  it('tau = 1 - (1 - tau_base)(cos(pi k / K) + 1) / 2 (Grill et al. 2020)', () => {
    const t = torch();
    close(t.byolMomentum(0.996, 0, 100), 0.996, 1e-12, 'k=0');
    close(t.byolMomentum(0.996, 50, 100), 0.998, 1e-12, 'k=K/2');
    close(t.byolMomentum(0.996, 100, 100), 1, 1e-12, 'k=K');
  });

  it('linear warm-up then cosine decay, by hand', () => {
    const t = torch();
    // base 1, warm-up 2 steps, 10 steps in all.
    assert.equal(t.cosineWarmupLr(1, 0, 2, 10), 0.5);
    assert.equal(t.cosineWarmupLr(1, 1, 2, 10), 1);
    assert.equal(t.cosineWarmupLr(1, 2, 2, 10), 1);
    close(t.cosineWarmupLr(1, 6, 2, 10), 0.5, 1e-12, 'half-way');
    close(t.cosineWarmupLr(1, 4, 2, 10), (1 + Math.cos(Math.PI / 4)) / 2, 1e-12, 'quarter');
    close(t.cosineWarmupLr(1, 10, 2, 10), 0, 1e-12, 'end');
    close(t.cosineWarmupLr(0.3, 3, 0, 6), 0.15, 1e-12, 'no warm-up');
  });
});

describe('LARS (native/torch/lars.h)', function () {

  it('matches two hand-computed steps; biases skip adaptation and weight decay', () => {
    const lr = 0.5;
    const momentum = 0.9;
    const weightDecay = 0.1;
    const eta = 0.001;
    const w = { data: Float32Array.from([3, 4]), shape: [1, 2] };
    const gw = { data: Float32Array.from([6, 8]), shape: [1, 2] };
    const b = { data: Float32Array.from([1, 2]), shape: [2] };
    const gb = { data: Float32Array.from([1, 1]), shape: [2] };
    const steps = torch().optimizerSteps('lars', [w, b], [gw, gb], { lr, momentum, weightDecay, steps: 2 });
    // By hand (You et al. 2017 with weight decay folded into the update, trust coefficient 0.001).
    const norm = (v: number[]) => Math.hypot(...v);
    let wv = [3, 4];
    let buf = [0, 0];
    const expected: number[][] = [];
    for (let s = 0; s < 2; s++) {
      const g = [6 + weightDecay * wv[0], 8 + weightDecay * wv[1]];
      const q = (eta * norm(wv)) / norm(g);
      buf = s === 0 ? g.map((x) => q * x) : buf.map((x, i) => momentum * x + q * g[i]);
      wv = wv.map((x, i) => x - lr * buf[i]);
      expected.push(wv);
    }
    assert.ok(Math.abs(steps[0][0][0] - 2.9985) < 1e-6, `first step ${steps[0][0][0]}`);
    for (let s = 0; s < 2; s++) {
      for (let i = 0; i < 2; i++) assert.ok(Math.abs(steps[s][0][i] - expected[s][i]) < 1e-6, `step ${s} w[${i}]`);
    }
    // The bias: plain momentum SGD without decay: 1 - 0.5 = 0.5, then 0.5 - 0.5 * 1.9 = -0.45.
    assert.ok(Math.abs(steps[0][1][0] - 0.5) < 1e-6);
    assert.ok(Math.abs(steps[1][1][0] - -0.45) < 1e-6);
    assert.ok(Math.abs(steps[1][1][1] - 0.55) < 1e-6);
  });
});
