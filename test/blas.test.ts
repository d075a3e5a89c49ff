import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyBlas, describeBlas, detectBlas } from '../lib/blas';

const MULTIARCH = '/usr/lib/x86_64-linux-gnu';

/** The target of one Debian alternative, asked of update-alternatives rather than of the loader. */
function alternative(name: string): string {
  const query = execFileSync('update-alternatives', ['--query', `${name}-x86_64-linux-gnu`], { encoding: 'utf8' });
  const value = /^Value: (.+)$/m.exec(query);
  assert.ok(value, `update-alternatives --query ${name} printed no Value line:\n${query}`);
  return value[1];
}

/** Real paths of every file mapped into this process. */
function mappedObjects(): Set<string> {
  const files = fs
    .readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .map((line) => line.split(/\s+/).slice(5).join(' '))
    .filter((file) => file.startsWith('/'));
  return new Set(files.map((file) => fs.realpathSync(file)));
}

describe('blas: classifyBlas names a BLAS from its real path', () => {
  const cases: Array<[string, ReturnType<typeof classifyBlas>]> = [
    [`${MULTIARCH}/blas/libblas.so.3.11.0`, { kind: 'reference', threading: 'serial' }],
    [`${MULTIARCH}/openblas-pthread/libblas.so.3`, { kind: 'openblas', threading: 'pthread' }],
    [`${MULTIARCH}/openblas-openmp/libblas.so.3`, { kind: 'openblas', threading: 'openmp' }],
    [`${MULTIARCH}/openblas-serial/libblas.so.3`, { kind: 'openblas', threading: 'serial' }],
    [`${MULTIARCH}/openblas-openmp/libopenblasp-r0.3.21.so`, { kind: 'openblas', threading: 'openmp' }],
    [`${MULTIARCH}/blis-openmp/libblas.so.3`, { kind: 'blis', threading: 'openmp' }],
    [`${MULTIARCH}/atlas/libblas.so.3.10.3`, { kind: 'atlas' }],
    ['/opt/OpenBLAS/lib/libopenblas.so.0', { kind: 'openblas' }],
    ['/opt/intel/oneapi/mkl/2024.0/lib/libmkl_rt.so.2', { kind: 'mkl' }],
    ['/usr/local/lib/libblis.so.4', { kind: 'blis' }],
    // A libblas.so outside Debian's blas/ directory could be any implementation.
    ['/usr/local/lib/libblas.so.3', { kind: 'unknown' }],
    [`${MULTIARCH}/libtorch_cpu.so.1.13`, { kind: 'unknown' }],
  ];
  for (const [file, expected] of cases) {
    it(`${file} -> ${expected.kind}${expected.threading ? ` (${expected.threading})` : ''}`, () => {
      assert.deepEqual(classifyBlas(file), expected);
    });
  }
});

describe('blas: describeBlas interprets the torch tier\'s lookup', () => {
  // Paths under /nonexistent keep realpath from changing them.
  const config = 'OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64';

  it('takes the threading from OpenBLAS itself: an OpenMP interface over a pthreads core is pthreads', () => {
    const report = describeBlas({
      symbol: 'sgemm_',
      object: '/nonexistent/openblas-openmp/libblas.so.3',
      openblas: { object: '/nonexistent/openblas-pthread/libopenblas.so.0', parallel: 1, config },
    });
    assert.deepEqual(report, {
      library: '/nonexistent/openblas-openmp/libblas.so.3',
      loadedAs: '/nonexistent/openblas-openmp/libblas.so.3',
      kind: 'openblas',
      threading: 'pthread',
      core: '/nonexistent/openblas-pthread/libopenblas.so.0',
      config,
    });
  });

  it('recognises an OpenBLAS by its own symbols when its path says nothing', () => {
    const report = describeBlas({ symbol: 'sgemm_', object: '/nonexistent/lib/libblas.so.3', openblas: { object: '/nonexistent/lib/libblas.so.3', parallel: 2 } });
    assert.equal(report.library !== null && report.kind, 'openblas');
    assert.equal(report.library !== null && report.threading, 'openmp');
  });

  it('ignores an OpenBLAS loaded for another library when sgemm_ comes from the reference BLAS', () => {
    const report = describeBlas({
      symbol: 'sgemm_',
      object: '/nonexistent/blas/libblas.so.3',
      openblas: { object: '/nonexistent/openblas-pthread/libopenblas.so.0', parallel: 1, config },
    });
    assert.deepEqual(report, { library: '/nonexistent/blas/libblas.so.3', loadedAs: '/nonexistent/blas/libblas.so.3', kind: 'reference', threading: 'serial' });
  });

  it('gives null and a reason when nothing defines sgemm_', () => {
    const report = describeBlas({ symbol: 'sgemm_', object: null, openblas: null });
    assert.equal(report.library, null);
    assert.match('reason' in report ? report.reason : '', /no shared object defines sgemm_/);
  });
});

describe('blas: detectBlas reads the BLAS libtorch bound on this machine', () => {
  it('names the OpenBLAS that the alternatives system selects, as mapped into this process', () => {
    const blas = detectBlas();
    assert.ok(blas.library !== null, `expected a BLAS library but received none: ${'reason' in blas ? blas.reason : ''}`);
    const selected = alternative('libblas.so.3');
    assert.equal(blas.library, fs.realpathSync(selected));
    assert.equal(blas.library, fs.realpathSync(`${MULTIARCH}/libblas.so.3`));
    assert.match(blas.loadedAs, /\/libblas\.so\.3$/);
    assert.equal(blas.kind, 'openblas', `scripts/setup.sh installs OpenBLAS, but libtorch runs on ${blas.library}`);
    // Debian's OpenBLAS libblas.so.3 forwards to libopenblas.so.0, its own alternative: the
    // threading must be that core's, as OpenBLAS reports it.
    const core = fs.realpathSync(alternative('libopenblas.so.0'));
    assert.equal(blas.core, core);
    assert.equal(blas.threading, /openblas-(\w+)\//.exec(core)![1]);
    assert.match(blas.config ?? '', /^OpenBLAS \d+\.\d+/);
    const mapped = mappedObjects();
    assert.ok(mapped.has(blas.library), `${blas.library} is not mapped into this process`);
    assert.ok(mapped.has(core), `${core} is not mapped into this process`);
  });

  it('reports null and the reason, without throwing, when the torch tier cannot load', () => {
    const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'blas.js'))}).detectBlas()))`;
    const run = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { ...process.env, SSLMEM_TORCH_ADDON: path.join(__dirname, 'no-such-addon.node') },
    });
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.library, null);
    assert.match(report.reason, /torch tier is not built/);
  });
});
