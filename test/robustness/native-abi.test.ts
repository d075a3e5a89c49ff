/**
 * The addons hold buffers through V8's own API (native/addon/backing_store.cc), which is stable only
 * within one V8 version: loaded by a Node whose V8 differs from the headers they were built with,
 * they refuse to load with a coded error instead of running on a mismatched ABI.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { addonPaths } from '../../lib/binding';

describe('robustness: addons built for another Node', () => {
  it('the kernel tier refuses to load under another V8 version with ERR_SSLMEM_KERNELS_MISSING naming both', () => {
    const script =
      `Object.defineProperty(process, 'versions', { value: { ...process.versions, v8: '9.9.1' } });` +
      `try { require(${JSON.stringify(addonPaths.kernels)}); console.log('loaded'); } catch (e) { console.log(e.code + ' ' + e.message); }`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /^ERR_SSLMEM_KERNELS_MISSING Expected a Node whose V8 is \d+\.\d+\.x .* but received V8 9\.9\.1; rebuild it/);
  });
});
