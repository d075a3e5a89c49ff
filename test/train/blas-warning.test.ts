import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REFERENCE_BLAS_WARNING } from '../../lib/train/blas-warning';

const LIB = path.join(__dirname, '..', '..', 'lib');

/**
 * Runs train() twice in a fresh process (the warning is once per process) with the detector
 * replaced by one that reports `kind`; returns the warnings emitted and how often the detector ran.
 * Both calls get invalid options, so they reject right after the check without training.
 */
function trainTwiceWith(kind: string): { warnings: Array<{ code: string; message: string }>; detections: number; rejections: string[] } {
  const script = `
    const check = require(${JSON.stringify(path.join(LIB, 'train', 'blas-warning.js'))});
    const { train } = require(${JSON.stringify(path.join(LIB, 'index.js'))});
    let detections = 0;
    check.blasCheck.detect = () => {
      detections++;
      return { library: '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0', loadedAs: '/lib/x86_64-linux-gnu/libblas.so.3', kind: ${JSON.stringify(kind)} };
    };
    const warnings = [];
    process.on('warning', (w) => warnings.push({ code: w.code, message: w.message }));
    (async () => {
      const rejections = [];
      for (let i = 0; i < 2; i++) await train({}).catch((e) => rejections.push(e.name));
      setImmediate(() => process.stdout.write(JSON.stringify({ warnings, detections, rejections })));
    })();`;
  const run = spawnSync(process.execPath, ['--no-warnings', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

describe('train: warns once when libtorch runs on the reference BLAS', () => {
  it('emits SSLMEM_REFERENCE_BLAS once per process, naming the library and the package to install', () => {
    const { warnings, detections, rejections } = trainTwiceWith('reference');
    assert.deepEqual(rejections, ['TypeError', 'TypeError']);
    assert.equal(detections, 1);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0].code, REFERENCE_BLAS_WARNING);
    assert.equal(REFERENCE_BLAS_WARNING, 'SSLMEM_REFERENCE_BLAS');
    assert.match(warnings[0].message, /reference BLAS \(\/usr\/lib\/x86_64-linux-gnu\/blas\/libblas\.so\.3\.11\.0\)/);
    assert.match(warnings[0].message, /about 3\.5x as long as on OpenBLAS/);
    assert.match(warnings[0].message, /apt-get install libopenblas0-(openmp|pthread)/);
  });

  it('stays silent on OpenBLAS', () => {
    const { warnings, detections, rejections } = trainTwiceWith('openblas');
    assert.deepEqual(rejections, ['TypeError', 'TypeError']);
    assert.equal(detections, 1);
    assert.deepEqual(warnings, []);
  });
});
