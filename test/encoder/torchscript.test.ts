import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Encoder } from '../../lib';
import { maxAbsDiff, oracleDir, pythonOracle } from '../train/helpers';

describe('Encoder.loadTorchScript', function () {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-torchscript-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  before(function () {
    // The fixture is made at test time by PyTorch (torch.jit.trace), see the script.
    const made = spawnSync(pythonOracle, [path.join(oracleDir, 'export_torchscript.py'), tmp], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`export_torchscript.py failed: ${made.stderr}`);
  });

  it('gives the embeddings PyTorch gives (tolerance 1e-5), also after save/load', async () => {
    const encoder = await Encoder.loadTorchScript(path.join(tmp, 'backbone.pt'), { inputShape: [1, 28, 28] });
    assert.equal(encoder.reprDim, 32);
    assert.equal(encoder.description.architecture, 'torchscript');
    const input = Float32Array.from(JSON.parse(fs.readFileSync(path.join(tmp, 'input.json'), 'utf8')) as number[]);
    const expected = JSON.parse(fs.readFileSync(path.join(tmp, 'expected.json'), 'utf8')) as { shape: number[]; data: number[] };
    const out = await encoder.embedViews({ data: input, shape: [5, 1, 28, 28] }, { batchSize: 2 });
    assert.deepEqual(out.shape, expected.shape);
    assert.ok(maxAbsDiff(out.data, expected.data) < 1e-5, `max diff ${maxAbsDiff(out.data, expected.data)}`);
    const file = path.join(tmp, 'imported.sslmem');
    await encoder.save(file);
    const loaded = await Encoder.load(file);
    assert.equal(loaded.description.architecture, 'torchscript');
    const again = await loaded.embedViews({ data: input, shape: [5, 1, 28, 28] }, { batchSize: 2 });
    assert.equal(maxAbsDiff(again.data, out.data), 0);
  });

  it('rejects incompatible modules and files that are not TorchScript', async () => {
    await assert.rejects(Encoder.loadTorchScript(path.join(tmp, 'bad-output.pt'), { inputShape: [1, 28, 28] }), {
      code: 'ERR_SSLMEM_INCOMPATIBLE_MODEL',
      message: /2-D float tensor \[2, D\]/,
    });
    await assert.rejects(Encoder.loadTorchScript(path.join(tmp, 'backbone.pt'), { inputShape: [3, 28, 28] }), {
      code: 'ERR_SSLMEM_INCOMPATIBLE_MODEL',
    });
    const junk = path.join(tmp, 'junk.pt');
    fs.writeFileSync(junk, 'not torchscript');
    await assert.rejects(Encoder.loadTorchScript(junk, { inputShape: [1, 28, 28] }), { code: 'ERR_SSLMEM_CORRUPT_FILE' });
  });
});
