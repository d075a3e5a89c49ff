/**
 * The sampling (augment_params.h) and per-pixel (augment_pixel.h) headers compile as CUDA device
 * code (SSLMEM_HD = __host__ __device__ under nvcc). Skipped where nvcc is not installed.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

describe('augment: headers usable from CUDA', function () {
  this.timeout(300000);

  it('device_check.cu compiles with nvcc', function () {
    const which = spawnSync('sh', ['-c', 'command -v nvcc'], { encoding: 'utf8' });
    if (which.status !== 0) this.skip();
    const root = path.resolve(__dirname, '..', '..', '..');
    const out = path.join(os.tmpdir(), `sslmem-device-check-${process.pid}.o`);
    try {
      const r = spawnSync('nvcc', ['-std=c++17', '-c', path.join(root, 'test', 'augment', 'cuda', 'device_check.cu'),
        '-I', path.join(root, 'native', 'kernels'), '-o', out], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(fs.statSync(out).size > 0);
    } finally {
      fs.rmSync(out, { force: true });
    }
  });
});
