// One rank of the data-parallel training tests in test/distributed.test.ts. Reads the
// torchrun-style variables from its environment and a JSON of test knobs from argv[2]
// ({epochs, checkpoint, abortAfterSteps}); trains on the first 64 fixture images and prints
// {history, embedding} (or {error}) as JSON.
import * as path from 'node:path';
import { loadIdx, subset } from '../../lib/data';
import { distributedConfigFromEnv } from '../../lib/distributed';
import { train } from '../../lib/train';

interface Knobs {
  epochs: number;
  checkpoint?: string;
  abortAfterSteps?: number;
}

async function main(): Promise<void> {
  const knobs = JSON.parse(process.argv[2]) as Knobs;
  const distributed = distributedConfigFromEnv();
  if (!distributed) throw new Error('WORLD_SIZE is not set');
  const fixture = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'fashion-mnist');
  const ds = await loadIdx(path.join(fixture, 'train-1000-images-idx3-ubyte.gz'), path.join(fixture, 'train-1000-labels-idx1-ubyte.gz'));
  const images = subset(ds, Array.from({ length: 64 }, (_, i) => i)).images;
  const controller = new AbortController();
  let steps = 0;
  try {
    const { encoder, history } = await train({
      images,
      encoder: { architecture: 'small-cnn', width: 0.25 },
      method: 'simclr',
      pipeline: 'grayscale-28',
      epochs: knobs.epochs,
      batchSize: 32,
      optimizer: { name: 'adam', lr: 1e-3 },
      seed: 3,
      threads: 1,
      distributed: { ...distributed, timeoutMs: 30_000 },
      ...(knobs.checkpoint ? { checkpoint: { path: knobs.checkpoint, every: 1 } } : {}),
      signal: controller.signal,
      onProgress: () => {
        steps += 1;
        if (knobs.abortAfterSteps !== undefined && steps >= knobs.abortAfterSteps) controller.abort();
      },
    });
    const embedding = await encoder.embed(subset(ds, [100, 101, 102, 103]).images);
    process.stdout.write(JSON.stringify({ history: history.map((h) => h.loss), embedding: Array.from(embedding.data), config: encoder.description.config }));
  } catch (error) {
    const e = error as Error & { code?: string };
    process.stdout.write(JSON.stringify({ error: { name: e.name, code: e.code, message: e.message } }));
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
