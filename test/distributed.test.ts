import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as net from 'node:net';
import * as path from 'node:path';
import { loadIdx, subset } from '../lib/data';
import { distributedConfigFromEnv, distributedSupported, resolveDistributedConfig } from '../lib/distributed';
import { train, validateTrainOptions } from '../lib/train';

const FIXTURE = path.join(__dirname, '..', '..', 'test', 'fixtures', 'fashion-mnist');

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

/** Runs a script of test/support as one rank of a loopback group; resolves its JSON output. */
function runRank(rank: number, worldSize: number, port: number, script = 'distributed-rank.js', args: string[] = []): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'support', script), ...args], {
      env: { ...process.env, RANK: String(rank), WORLD_SIZE: String(worldSize), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`rank ${rank} exited with ${code}: ${err}`));
      else resolve(JSON.parse(out));
    });
  });
}

/** Both ranks of a data-parallel training run (test/support/distributed-train-rank.ts). */
async function trainTwoRanks(knobs: [object, object]): Promise<Array<Record<string, unknown>>> {
  const port = await freePort();
  return Promise.all(knobs.map((k, rank) => runRank(rank, 2, port, 'distributed-train-rank.js', [JSON.stringify(k)])));
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

  describe('data-parallel training (two ranks on loopback, Gloo)', function () {
    this.timeout(180_000);
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-ddp-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('ranks train on different slices yet end with identical weights and loss history; only rank 0 checkpoints', async () => {
      const ckpt = (rank: number) => path.join(dir, `rank${rank}-{epoch}.ckpt`);
      const [a, b] = await trainTwoRanks([{ epochs: 2, checkpoint: ckpt(0) }, { epochs: 2, checkpoint: ckpt(1) }]);
      assert.equal(a.error, undefined, JSON.stringify(a.error));
      assert.equal(b.error, undefined, JSON.stringify(b.error));
      const lossesA = a.history as number[];
      assert.equal(lossesA.length, 2);
      assert.ok(lossesA.every(Number.isFinite));
      // Each rank saw only its half of every batch: without gradient averaging the weights would differ.
      assert.deepEqual(b.history, lossesA);
      assert.deepEqual(b.embedding, a.embedding);
      assert.equal((a.config as { worldSize?: number }).worldSize, 2);
      assert.ok(fs.existsSync(path.join(dir, 'rank0-2.ckpt')), 'rank 0 wrote its checkpoint');
      assert.ok(!fs.existsSync(path.join(dir, 'rank1-1.ckpt')) && !fs.existsSync(path.join(dir, 'rank1-2.ckpt')), 'rank 1 wrote none');
    });

    it('a world of one reproduces single-process training exactly', async () => {
      const ds = await loadIdx(path.join(FIXTURE, 'train-1000-images-idx3-ubyte.gz'), path.join(FIXTURE, 'train-1000-labels-idx1-ubyte.gz'));
      const images = subset(ds, Array.from({ length: 48 }, (_, i) => i)).images;
      const run = async (distributed?: { rank: number; worldSize: number; masterPort: number }) => {
        const { encoder, history } = await train({
          images, encoder: { architecture: 'small-cnn', width: 0.25 }, method: 'simclr', pipeline: 'grayscale-28',
          epochs: 2, batchSize: 16, optimizer: { name: 'adam', lr: 1e-3 }, seed: 5, threads: 1, ...(distributed ? { distributed } : {}),
        });
        const embedding = await encoder.embed(subset(ds, [200, 201]).images);
        encoder.dispose();
        return { losses: history.map((h) => h.loss), embedding: Array.from(embedding.data) };
      };
      const single = await run();
      const one = await run({ rank: 0, worldSize: 1, masterPort: await freePort() });
      assert.deepEqual(one, single);
    });

    it('ranks launched with different options fail on every rank with an error naming the option', async () => {
      const [a, b] = await trainTwoRanks([{ epochs: 2 }, { epochs: 3 }]);
      for (const r of [a, b]) {
        const error = r.error as { code: string; message: string };
        assert.equal(error.code, 'ERR_SSLMEM_DISTRIBUTED');
        assert.match(error.message, /Expected every rank to train with the same options\.epochs/);
      }
    });

    it('an abort on one rank stops both at the same step instead of leaving the other waiting', async () => {
      const [a, b] = await trainTwoRanks([{ epochs: 50 }, { epochs: 50, abortAfterSteps: 3 }]);
      assert.equal((b.error as { name: string }).name, 'AbortError');
      const error = a.error as { code: string; message: string };
      assert.equal(error.code, 'ERR_SSLMEM_DISTRIBUTED');
      assert.match(error.message, /because another rank was aborted/);
    });

    it('rejects a batch that does not split evenly over the ranks', () => {
      assert.throws(
        () => validateTrainOptions({ images: { data: new Uint8Array(64 * 784), shape: [64, 28, 28, 1] }, encoder: { architecture: 'small-cnn' }, method: 'simclr', pipeline: 'grayscale-28', epochs: 1, batchSize: 33, seed: 0, distributed: { rank: 0, worldSize: 2 } } as never),
        /options\.batchSize/,
      );
    });
  });
});
