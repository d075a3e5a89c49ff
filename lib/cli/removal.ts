import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATASET_NAMES, DatasetName, loadDataset } from '../data';
import { crossfitScores } from '../downstream/crossfit';
import { writeCrossfitOutputs } from '../downstream/crossfit-output';
import { defaultHooks } from '../downstream/defaults';
import { removalExperiment } from '../downstream/removal';
import { REMOVAL_ARMS, RemovalArm } from '../downstream/removal-summary';
import { firstPoints, loadTask } from '../downstream/tasks';
import { outOfRange } from '../errors';
import { writeFilesAtomic } from '../io/atomic';
import { removalCharts } from '../report/charts';
import { parseScoresCsv } from '../score/scores-csv';
import { optimizers } from '../train/options';
import { assertOneOf } from '../validate';
import { parseInteger, parseIntegers, parseNumber } from './parse';

interface RemovalFlags {
  dataset: string;
  cross: string;
  trainSize: string;
  scores?: string;
  folds: string;
  sizes: string;
  seeds: string;
  arms: string;
  epochs: string;
  batchSize: string;
  architecture: string;
  width: string;
  optimizer: string;
  lr?: string;
  temperature: string;
  views: string;
  threads: string;
  evalTrain: string;
  evalTest: string;
  out: string;
  json?: boolean;
}

const positiveNumber = (flag: string, text: string): number => parseNumber(flag, text, { positive: true });
const integer = (flag: string, text: string, min: number): number => parseInteger(flag, text, { min });

/** m per point of D from a scores CSV whose `index` column indexes D (e.g. crossfit-scores.csv). */
function scoresFromCsv(file: string, n: number): Float64Array {
  const rows = parseScoresCsv(fs.readFileSync(file, 'utf8'), file);
  const m = new Float64Array(n).fill(NaN);
  for (const row of rows) if (row.index < n) m[row.index] = row.m;
  const missing = m.findIndex((v) => Number.isNaN(v));
  if (missing >= 0) throw outOfRange('--scores', `a score for every training point 0..${n - 1}`, `no score for point ${missing}`, true);
  return m;
}

/** `sslmem removal`: retrain without the most / random / least memorized points and measure accuracy. */
export function registerRemoval(program: Command): void {
  program
    .command('removal')
    .description('the removal experiment: remove the n most memorized, n random and n least memorized training points, retrain (several seeds), report linear-probe and kNN accuracy same-domain and cross-domain')
    .option('--dataset <name>', `training dataset (${DATASET_NAMES.join(', ')}); D = the first --train-size points of its train split`, 'fashion-mnist')
    .option('--cross <name>', 'cross-domain evaluation dataset', 'mnist')
    .option('--train-size <n>', 'points in the training set D', '2000')
    .option('--scores <csv>', 'memorization scores of D (columns index, m; e.g. crossfit-scores.csv); default: cross-fit them first')
    .option('--folds <k>', 'cross-fitting folds when --scores is not given', '2')
    .option('--sizes <list>', 'numbers of points to remove', '0,200,400')
    .option('--seeds <list>', 'retraining seeds', '1,2,3')
    .option('--arms <list>', 'which arms (top, random, bottom)', REMOVAL_ARMS.join(','))
    .option('--epochs <n>', 'training epochs of every encoder', '20')
    .option('--batch-size <n>', 'training batch size', '256')
    .option('--architecture <name>', 'encoder backbone', 'small-cnn')
    .option('--width <x>', 'channel multiplier of the encoder', '1')
    .option('--optimizer <name>', "'sgd', 'adam', 'adamw' or 'lars'", 'sgd')
    .option('--lr <x>', 'peak learning rate (default: 0.03 x batch / 256)')
    .option('--temperature <t>', "SimCLR temperature; 0.2, not the library's 0.5: the calibration trial's setting (docs/downstream.md)", '0.2')
    .option('--views <n>', 'augmented views per point when cross-fitting scores (anchor mode: one pair each, against the clean image)', '16')
    .option('--threads <n>', 'libtorch threads (0 = all)', '0')
    .option('--eval-train <n>', 'points of each task\'s train split used to fit the probe / kNN bank', '5000')
    .option('--eval-test <n>', 'points of each task\'s test split', '2000')
    .option('--out <dir>', 'output directory', 'sslmem-removal')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: RemovalFlags) => {
      assertOneOf('--dataset', flags.dataset, DATASET_NAMES);
      assertOneOf('--cross', flags.cross, DATASET_NAMES);
      assertOneOf('--optimizer', flags.optimizer, optimizers);
      const arms = flags.arms.split(',').map((a) => a.trim()) as RemovalArm[];
      const started = performance.now();
      const log = (text: string) => {
        if (!flags.json) process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${text}\n`);
      };
      const trainSet = firstPoints(await loadDataset(flags.dataset as DatasetName, 'train'), integer('--train-size', flags.trainSize, 2));
      const n = trainSet.labels.length;
      const hooks = defaultHooks(
        {
          architecture: flags.architecture as 'small-cnn',
          width: positiveNumber('--width', flags.width),
          methodOptions: { temperature: positiveNumber('--temperature', flags.temperature) },
          ...(flags.optimizer !== 'sgd' || flags.lr !== undefined
            ? { optimizer: { name: flags.optimizer as 'sgd', lr: flags.lr !== undefined ? positiveNumber('--lr', flags.lr) : (0.03 * integer('--batch-size', flags.batchSize, 2)) / 256 } }
            : {}),
          epochs: integer('--epochs', flags.epochs, 1),
          batchSize: integer('--batch-size', flags.batchSize, 2),
          threads: integer('--threads', flags.threads, 0),
          onEpoch: (name, epoch, epochs, loss) => {
            if (epoch === epochs) log(`trained ${name}: ${epochs} epochs, final loss ${loss.toFixed(4)}`);
          },
        },
        { views: integer('--views', flags.views, 2), threads: integer('--threads', flags.threads, 0) },
      );
      let scores: Float64Array;
      if (flags.scores) scores = scoresFromCsv(flags.scores, n);
      else {
        log(`cross-fitting scores of ${n} points with ${flags.folds} folds...`);
        const crossfit = await crossfitScores({ images: trainSet.images, folds: integer('--folds', flags.folds, 2), seed: 0, hooks, dataset: { name: trainSet.name }, onProgress: (e) => log(`${e.stage} (${e.done}/${e.total})`) });
        writeCrossfitOutputs(flags.out, crossfit, trainSet.labels);
        scores = crossfit.m;
      }
      const limits = { train: integer('--eval-train', flags.evalTrain, 1), test: integer('--eval-test', flags.evalTest, 1) };
      const tasks = [await loadTask('same-domain', flags.dataset as DatasetName, limits), await loadTask('cross-domain', flags.cross as DatasetName, limits)];
      const result = await removalExperiment({
        images: trainSet.images,
        scores,
        sizes: parseIntegers('--sizes', flags.sizes, 0),
        seeds: parseIntegers('--seeds', flags.seeds, 0),
        arms,
        hooks,
        tasks,
        outDir: flags.out,
        onProgress: (e) => log(`run ${e.done}/${e.total}: ${e.run.arm} n=${e.run.n} seed=${e.run.seed}: ${JSON.stringify(e.run.accuracy)}`),
      });
      const written = [...result.files, ...writeFilesAtomic(flags.out, removalCharts(result.summary))];
      const seconds = (performance.now() - started) / 1000;
      fs.writeFileSync(path.join(flags.out, 'removal-command.json'), JSON.stringify({ argv: process.argv.slice(2), seconds }, null, 2) + '\n');
      if (flags.json) {
        process.stdout.write(JSON.stringify({ ...result.summary, seconds }, null, 2) + '\n');
        return;
      }
      for (const cell of result.summary.cells) {
        process.stdout.write(`${cell.task.padEnd(12)} ${cell.method.padEnd(12)} ${cell.arm.padEnd(6)} n=${String(cell.n).padStart(5)}  ${(100 * cell.mean).toFixed(2)}% ± ${Number.isFinite(cell.std) ? (100 * cell.std).toFixed(2) : '-'}\n`);
      }
      process.stdout.write(`wrote ${written.length} files to ${flags.out} in ${seconds.toFixed(0)} s\n`);
    });
}
