import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { distributedConfigFromEnv, distributedSupported, resolveDistributedConfig } from '../lib/distributed';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Runs test/support/distributed-rank.js as one rank of a loopback group; resolves its JSON output. */
function runRank(rank: number, worldSize: number, port: number): Promise<Record<string, unknown>> {
  const script = path.join(__dirname, 'support', 'distributed-rank.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, RANK: String(rank), WORLD_SIZE: String(worldSize), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`rank ${rank} exited with ${code}: ${err}`));
      else resolve(JSON.parse(out));
    });
  });
}

describe('distributed: c10d process groups launched torchrun-style', () => {
  it('reads RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (and Slurm\'s variables)', () => {
    assert.equal(distributedConfigFromEnv({}), undefined);
    assert.deepEqual(distributedConfigFromEnv({ RANK: '1', WORLD_SIZE: '4', MASTER_ADDR: 'node0', MASTER_PORT: '1234' }), {
      rank: 1, worldSize: 4, masterAddr: 'node0', masterPort: 1234, backend: 'gloo', timeoutMs: 300000,
    });
    assert.equal(distributedConfigFromEnv({ SLURM_PROCID: '2', SLURM_NTASKS: '3' })?.rank, 2);
    assert.throws(() => distributedConfigFromEnv({ RANK: 'x', WORLD_SIZE: '2' }), /Expected an integer >= 0 for RANK but received the string "x"/);
    assert.throws(() => resolveDistributedConfig({ rank: 2, worldSize: 2 }), /Expected an integer in \[0, 1\] for distributed.rank but received the number 2/);
    assert.throws(() => resolveDistributedConfig({ rank: 0, worldSize: 1, backend: 'mpi' as 'gloo' }), RangeError);
  });

  it('two processes on loopback all-reduce and broadcast with Gloo', async function () {
    assert.ok(distributedSupported(), 'the torch tier is built with c10d Gloo (libgloo-dev) in CI');
    const port = await freePort();
    const results = await Promise.all([runRank(0, 2, port), runRank(1, 2, port)]);
    for (const [rank, result] of results.entries()) {
      assert.equal(result.rank, rank);
      assert.equal(result.worldSize, 2);
      // sum over ranks r of (r + 1) * [1, 2] = 3 * [1, 2]
      assert.deepEqual(result.allReduceSum, [3, 6]);
      // rank 0 set its probe to (10, 20); everyone receives it
      assert.deepEqual(result.broadcast, [10, 20]);
    }
  });

  it('a rank that cannot reach its master fails with a clear error instead of hanging', async () => {
    const { distributedCheck } = await import('../lib/distributed');
    const port = await freePort();
    await assert.rejects(
      distributedCheck({ rank: 1, worldSize: 2, masterPort: port, timeoutMs: 1500 }),
      (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_DISTRIBUTED' && /rank 1 of 2/.test(e.message),
    );
  });
});
