import { strict as assert } from 'node:assert';
import { kernels, torch, torchAvailable } from '../lib/binding';
import { systemInfo, setTorchThreads, torchInfo } from '../lib/system';

describe('binding: both tiers load', () => {
  it('loads the kernel tier and reports its SIMD backend', () => {
    const caps = kernels().capabilities();
    assert.equal(caps.tier, 'kernels');
    assert.ok(['serial', 'avx2', 'avx512'].includes(caps.simd), caps.simd);
    assert.ok(caps.hardwareThreads >= 1);
  });

  it('loads the torch tier and reports libtorch 1.13+ with explicit threads', () => {
    assert.ok(torchAvailable(), 'torch tier must be built in CI (npm run build:torch)');
    const info = torchInfo();
    assert.match(info.torchVersion, /^\d+\.\d+/);
    assert.ok(info.intraOpThreads >= 1);
    assert.equal(setTorchThreads(1), 1);
    assert.equal(torchInfo().intraOpThreads, 1);
    assert.equal(setTorchThreads(0), kernels().capabilities().hardwareThreads);
    assert.throws(() => setTorchThreads(-1), (e: RangeError) => e instanceof RangeError && /threads/.test(e.message));
  });

  it('systemInfo reports both tiers', () => {
    const info = systemInfo();
    assert.equal(info.kernels.tier, 'kernels');
    assert.ok('torchVersion' in info.torch);
  });
});

describe('binding: native work runs off the main thread and errors are JS errors', () => {
  it('findNonFinite resolves with the first bad index, honouring byteOffset', async () => {
    const buffer = new Float32Array([NaN, 1, 2, 3, Infinity, 5]);
    assert.equal(await kernels().findNonFinite(buffer, 2), 0);
    const view = new Float32Array(buffer.buffer, 4, 5); // skips the NaN
    assert.equal(await kernels().findNonFinite(view, 2), 3);
    assert.equal(await kernels().findNonFinite(new Float32Array(1 << 20), 2), -1);
  });

  it('the same native function works from the torch tier', async () => {
    assert.equal(await torch().findNonFinite(new Float32Array([0, -Infinity]), 1), 1);
  });

  it('a wrong dtype is a TypeError naming the argument, expectation and received value', () => {
    assert.throws(
      () => kernels().findNonFinite(new Float64Array(3) as unknown as Float32Array, 1),
      (e: TypeError & { code: string }) =>
        e instanceof TypeError &&
        e.code === 'ERR_SSLMEM_INVALID_TYPE' &&
        e.message === 'Expected a Float32Array for data but received a Float64Array of length 3',
    );
  });

  it('the event loop keeps turning while a native job runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const big = new Float32Array(64 << 20); // 256 MB scanned on a worker thread
    await kernels().findNonFinite(big, 1);
    clearInterval(timer);
    assert.ok(ticks > 0, 'timers fired during the native job');
  });
});
