import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { align, AlignMetric, Pairing, pairIndices } from '../../lib/align';
import { Float32Tensor } from '../../lib/tensor';
import { ALIGN_ATOL, adversarialSets, assertClose, meanStd, randomReprs } from './reference';

/**
 * PyTorch (Debian's 1.13, float64 from the same float32 data) as the oracle, through the committed
 * script test/align/torch_oracle.py: F.normalize + torch.norm for l2-normalized, F.cosine_similarity,
 * torch.cdist for l2, torch.acos for angular. Tolerances: relative 1e-12, absolute 1e-13 for cosines
 * and 1e-14 for normalized distances (both sides accumulate in float64); pair values within one
 * float32 ulp of PyTorch's value rounded to float32.
 */
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.resolve(__dirname, '..', '..', '..', 'test', 'align', 'torch_oracle.py');
const ORACLE_METRICS = ['torch-cosine-similarity', 'cosine-similarity', 'cosine-distance', 'l2-normalized', 'l2', 'squared-l2', 'angular'];
const ATOL = ALIGN_ATOL;

interface OracleSet {
  name: string;
  reprs: Float32Tensor;
  pairing: Pairing;
}

describe('align: agrees with PyTorch', function () {
  this.timeout(180000);
  const sets: OracleSet[] = [];
  for (const [name, reprs] of Object.entries(adversarialSets())) {
    for (const pairing of ['anchor', 'all-pairs'] as Pairing[]) sets.push({ name: `${name}-${pairing}`, reprs, pairing });
  }
  sets.push({ name: 'large-pairs', reprs: randomReprs(64, 9, 512, 401), pairing: 'pairs' });
  let oracle: Map<string, Float64Array>;
  let torchVersion = '';

  before(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-align-oracle-'));
    try {
      const manifest = sets.map(({ name, reprs, pairing }) => {
        fs.writeFileSync(path.join(dir, `${name}.f32`), Buffer.from(reprs.data.buffer, reprs.data.byteOffset, reprs.data.byteLength));
        return { name, shape: reprs.shape, pairs: pairIndices(pairing, reprs.shape[1]) };
      });
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      const stdout = execFileSync(PYTHON, [SCRIPT, dir], { encoding: 'utf8' });
      const info = JSON.parse(stdout) as { torch: string; metrics: string[] };
      assert.deepEqual(info.metrics, ORACLE_METRICS);
      torchVersion = info.torch;
      oracle = new Map(sets.map(({ name }) => {
        const bytes = fs.readFileSync(path.join(dir, `${name}.f64`));
        return [name, new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))];
      }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** PyTorch's [N, P] values of one metric for one set. */
  function torchValues(set: OracleSet, metric: string): Float64Array {
    const all = oracle.get(set.name)!;
    const per = all.length / ORACLE_METRICS.length;
    const k = ORACLE_METRICS.indexOf(metric);
    return all.subarray(k * per, (k + 1) * per);
  }

  function perPoint(values: Float64Array, points: number): { mean: Float64Array; std: Float64Array } {
    const p = values.length / points;
    const mean = new Float64Array(points), std = new Float64Array(points);
    for (let n = 0; n < points; n++) [mean[n], std[n]] = meanStd(values.subarray(n * p, (n + 1) * p));
    return { mean, std };
  }

  const ours: AlignMetric[] = ['cosine-similarity', 'cosine-distance', 'l2-normalized', 'l2', 'squared-l2', 'angular'];
  for (const metric of ours) {
    it(`${metric}: mean, std and pair values match PyTorch on every data set`, async () => {
      assert.match(torchVersion, /^\d+\.\d+/);
      for (const set of sets) {
        // acos is ill-conditioned near 0: PyTorch's acos(cos) is not an oracle for near-identical views.
        if (metric === 'angular' && set.name.startsWith('nearIdentical')) continue;
        const got = await align(set.reprs, { metric, pairing: set.pairing, returnPairs: true });
        const expected = torchValues(set, metric);
        const ref = perPoint(expected, set.reprs.shape[0]);
        const what = `${set.name}/${metric}`;
        assertClose(got.mean, ref.mean, 1e-12, ATOL[metric], `${what} mean`);
        assertClose(got.std, ref.std, 1e-12, ref.mean.map((m) => ATOL[metric] + 1e-12 * Math.abs(m)), `${what} std`);
        assertClose(got.pairs!.data, Float32Array.from(expected), 2 ** -23, ATOL[metric], `${what} pairs`);
      }
    });
  }

  it('F.cosine_similarity itself agrees wherever its eps rule (product of norms >= 1e-8) matches ours', async () => {
    const comparable = sets.filter((s) => !/^(tiny|mixedScales|denormal)/.test(s.name));
    assert.ok(comparable.length >= 10);
    for (const set of comparable) {
      const got = await align(set.reprs, { metric: 'cosine-similarity', pairing: set.pairing, returnPairs: true });
      assertClose(got.pairs!.data, Float32Array.from(torchValues(set, 'torch-cosine-similarity')), 2 ** -23, 1e-13, set.name);
    }
  });
});
