import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');
const sslmem = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });

describe('cli: info', () => {
  it('--json names the BLAS libtorch runs on: the library the alternatives link resolves to', () => {
    const run = sslmem(['info', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const info = JSON.parse(run.stdout);
    assert.equal(info.kernels.tier, 'kernels');
    assert.equal(info.blas.library, fs.realpathSync('/usr/lib/x86_64-linux-gnu/libblas.so.3'));
    assert.equal(info.blas.kind, 'openblas');
    assert.ok(['pthread', 'openmp', 'serial'].includes(info.blas.threading), info.blas.threading);
  });

  it('prints a BLAS line with the kind, threading and library', () => {
    const run = sslmem(['info']);
    assert.equal(run.status, 0, run.stderr);
    const library = fs.realpathSync('/usr/lib/x86_64-linux-gnu/libblas.so.3');
    assert.match(run.stdout, new RegExp(`^BLAS: +openblas \\((pthread|openmp|serial)\\), ${library.replace(/\./g, '\\.')}; OpenBLAS `, 'm'));
  });

  it('without the torch tier, says why the BLAS is not known instead of failing', () => {
    const env = { ...process.env, SSLMEM_TORCH_ADDON: path.join(__dirname, 'no-such-addon.node') };
    const json = sslmem(['info', '--json'], env);
    assert.equal(json.status, 0, json.stderr);
    const info = JSON.parse(json.stdout);
    assert.equal(info.blas.library, null);
    assert.match(info.blas.reason, /torch tier is not built/);
    const text = sslmem(['info'], env);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^BLAS: +not known: The sslmem torch tier is not built/m);
  });

  it('--methods lists every registered method with its defaults and every backbone; --json carries the same', () => {
    const run = sslmem(['info', '--methods']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^ {2}barlow-twins +Barlow Twins \(Zbontar et al\. 2021\): projector 8192-8192-8192; batch >= 2$/m);
    assert.match(run.stdout, /^ {4}lambda = 0\.0051 {2}a number >= 0: /m);
    assert.match(run.stdout, /^ {2}moco-v3 +MoCo v3 .*predictor 4096-256, EMA target \(momentum\)/m);
    assert.match(run.stdout, /^ {4}momentum = 0\.99 {2}a number in \[0, 1\]/m);
    assert.match(run.stdout, /^ {2}resnet18 +ResNet-18 .*512-d at width 1, input >= 8x8; layers stem, layer1/m);
    const info = JSON.parse(sslmem(['info', '--json']).stdout);
    assert.deepEqual(
      info.methods.map((m: { name: string }) => m.name),
      run.stdout.split('encoders:')[0].split('\n').filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/)[0]),
    );
  });

  it('train and run check --method and --method-option against the registry before any work', () => {
    const unknown = sslmem(['train', '--dataset', 'fashion-mnist', '--method', 'moco-v3', '--method-option', 'tau=1', '--epochs', '1', '--out', '/tmp/never.sslmem']);
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /Expected an option of moco-v3 \(temperature, momentum\) for --method-option\.tau/);
    const range = sslmem(['run', '--dataset', 'fashion-mnist-demo', '--method', 'byol', '--method-option', 'tauBase=2', '--out', '/tmp/never-run']);
    assert.notEqual(range.status, 0);
    assert.match(range.stderr, /Expected a number in \[0, 1\] for --method-option\.tauBase but received the number 2/);
    assert.ok(!fs.existsSync('/tmp/never-run/manifest.json'));
    const method = sslmem(['run', '--dataset', 'fashion-mnist-demo', '--method', 'dino-v9', '--out', '/tmp/never-run']);
    assert.match(method.stderr, /Expected one of ("[a-z0-9-]+", )*"simclr"(, "[a-z0-9-]+")* for --method but received the string "dino-v9"/);
  });
});
