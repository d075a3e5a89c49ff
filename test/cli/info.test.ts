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
});
