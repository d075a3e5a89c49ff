import type { Command } from 'commander';
import { DATASET_NAMES, DatasetName } from '../data';
import { loadTask } from '../downstream/tasks';
import { Encoder } from '../encoder';
import { evaluateEncoder } from '../eval';
import { outOfRange } from '../errors';
import { assertOneOf } from '../validate';
import { optionalNumber } from './parse';

interface EvalFlags {
  encoder: string;
  dataset: string;
  cross: string;
  task: string;
  trainLimit?: string;
  testLimit?: string;
  lambda?: string;
  epochs?: string;
  k?: string;
  temperature?: string;
  json?: boolean;
}

const positive = (flag: string, text: string | undefined): number | undefined => optionalNumber(flag, text, { positive: true });

/** `sslmem eval`: linear-probe and kNN accuracy of a saved encoder, same-domain and cross-domain. */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('downstream accuracy of a frozen encoder: linear probe (logistic regression on standardized features, L-BFGS) and weighted kNN (k=200, T=0.1)')
    .requiredOption('--encoder <file>', 'encoder saved by sslmem (Encoder.save)')
    .option('--dataset <name>', `same-domain dataset (${DATASET_NAMES.join(', ')})`, 'fashion-mnist')
    .option('--cross <name>', 'cross-domain dataset', 'mnist')
    .option('--task <which>', 'same-domain, cross-domain or both', 'both')
    .option('--train-limit <n>', 'use the first n training points for the probe and the kNN bank')
    .option('--test-limit <n>', 'use the first n test points')
    .option('--lambda <x>', 'L2 penalty per sample of the probe (objective (1/N) sum CE + lambda/2 ||W||^2)', '1e-4')
    .option('--epochs <n>', 'maximum L-BFGS iterations of the probe', '500')
    .option('--k <n>', 'kNN neighbours', '200')
    .option('--temperature <t>', 'kNN vote temperature', '0.1')
    .option('--json', 'print JSON for machines')
    .action(async (flags: EvalFlags) => {
      const which = flags.task === 'both' ? ['same-domain', 'cross-domain'] : [flags.task];
      for (const t of which) if (t !== 'same-domain' && t !== 'cross-domain') throw outOfRange('--task', 'same-domain, cross-domain or both', flags.task);
      assertOneOf('--dataset', flags.dataset, DATASET_NAMES);
      assertOneOf('--cross', flags.cross, DATASET_NAMES);
      // Every number is checked before the (slow) encoder load, so a typo fails at once.
      const limits = { train: positive('--train-limit', flags.trainLimit), test: positive('--test-limit', flags.testLimit) };
      const probe = { lambda: positive('--lambda', flags.lambda), epochs: positive('--epochs', flags.epochs) };
      const knn = { k: positive('--k', flags.k), temperature: positive('--temperature', flags.temperature) };
      const encoder = await Encoder.load(flags.encoder);
      const results: Record<string, unknown> = {};
      try {
        for (const task of which as Array<'same-domain' | 'cross-domain'>) {
          const spec = await loadTask(task, (task === 'same-domain' ? flags.dataset : flags.cross) as DatasetName, limits);
          if (!flags.json) process.stderr.write(`${task}: embedding ${spec.train.labels.length} + ${spec.test.labels.length} images of ${spec.train.name.split('/')[0]}...\n`);
          const result = await evaluateEncoder(encoder, {
            train: spec.train,
            test: spec.test,
            probe,
            knn,
          });
          results[task] = result;
          if (!flags.json) {
            process.stdout.write(
              `${task} (${spec.train.name} -> ${spec.test.name}): linear probe ${(100 * result.linearProbe!.testAccuracy).toFixed(2)}%, kNN ${(100 * result.knn!.accuracy).toFixed(2)}% ` +
                `(embed ${result.seconds.embed.toFixed(1)} s, probe ${result.seconds.linearProbe!.toFixed(1)} s, kNN ${result.seconds.knn!.toFixed(1)} s)\n`,
            );
          }
        }
      } finally {
        encoder.dispose();
      }
      if (flags.json) process.stdout.write(JSON.stringify({ encoder: flags.encoder, ...results }, null, 2) + '\n');
    });
}
