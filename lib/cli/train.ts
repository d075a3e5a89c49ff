import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { DATASET_NAMES, datasetFingerprint, loadDataset, loadIdx } from '../data';
import type { ImageDataset } from '../data/types';
import type { CropGroupSpec, PipelineSpec } from '../augment';
import { findArchitecture } from '../encoder/architectures';
import { distributedConfigFromEnv } from '../distributed';
import { invalidType } from '../errors';
import { removeDeadTemps } from '../io/staged';
import { assertOneOf } from '../validate';
import { namedNumbers, namedValues, optionalInteger, optionalNumber, parseInteger } from './parse';
import { formatSeconds, ProgressBar } from './progress';
import { augmentationFor, findMethod, optimizers, train, validateMethodScalars } from '../train';
import type { TrainProgress } from '../train';

interface TrainCliOptions {
  dataset?: string;
  images?: string;
  labels?: string;
  method: string;
  architecture: string;
  methodOption?: Record<string, number>;
  architectureSetting?: Record<string, string>;
  /** Deprecated spelling of --architecture (before issue 12), still read. */
  encoder?: string;
  width: string;
  epochs: string;
  batchSize: string;
  lr?: string;
  optimizer?: string;
  warmupEpochs: string;
  temperature?: string;
  pipeline: string;
  seed: string;
  threads: string;
  device: string;
  checkpointEvery?: string;
  resume?: string;
  out: string;
  json?: boolean;
}


/** `sslmem train`: self-supervised training of an encoder on a dataset (lib/train). */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description(
      'train an SSL encoder (any method of `sslmem info --methods`) and save it; launched torchrun-style (RANK, WORLD_SIZE, ' +
        'MASTER_ADDR, MASTER_PORT, or Slurm\'s SLURM_PROCID/SLURM_NTASKS) it trains data-parallel with c10d and rank 0 saves',
    )
    .option('--dataset <name>', "dataset name: 'fashion-mnist', 'mnist', 'fashion-mnist-demo'")
    .option('--images <path>', 'IDX images file (raw or .gz), instead of --dataset')
    .option('--labels <path>', 'IDX labels file to go with --images')
    .option('--method <name>', 'SSL method (`sslmem info --methods` lists them with their options)', 'simclr')
    .option('--architecture <name>', 'encoder backbone (`sslmem info --methods` lists them)', 'small-cnn')
    .option('--architecture-setting <name=value>', "one of the backbone's settings (repeatable), e.g. patch=4 for a ViT", namedValues('--architecture-setting'))
    // The flag's name before issue 12 (run and removal say --architecture; eval's --encoder is a file).
    .addOption(new Option('--encoder <name>', 'deprecated: use --architecture').hideHelp())
    .option('--width <w>', 'channel multiplier', '1')
    .option('--epochs <n>', 'epochs', '100')
    .option('--batch-size <n>', 'batch size', '256')
    .option('--lr <lr>', "peak learning rate (default: the method's base lr x batch / 256; 0.03 for sgd)")
    .option('--optimizer <name>', `one of ${optimizers.join(', ')} (default: the method's paper optimizer, sgd for most; adamw for mae and dino)`)
    .option('--warmup-epochs <n>', 'linear warm-up epochs', '0')
    .option('--temperature <t>', 'SimCLR temperature (default 0.5); same as --method-option temperature=T')
    .option('--method-option <name=value>', "one of the method's hyper-parameters (repeatable), e.g. tauBase=0.99", namedNumbers('--method-option'))
    .option('--pipeline <name>', "augmentation preset name or JSON PipelineSpec; for methods with local views (dino) also a multi-crop preset ('dino-28', 'dino-32') or JSON groups", 'grayscale-28')
    .option('--seed <n>', 'seed', '0')
    .option('--threads <n>', 'libtorch threads, 0 = all cores', '0')
    .option('--device <name>', "'cpu' or 'cuda'", 'cpu')
    .option('--checkpoint-every <n>', 'write OUT.ckpt every n epochs (resumable)')
    .option('--resume <path>', 'continue from a checkpoint')
    .requiredOption('--out <path>', 'where to save the trained encoder')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (options: TrainCliOptions) => {
      let dataset: ImageDataset;
      if (options.images) {
        if (!options.labels) throw invalidType('--labels', 'an IDX labels path to go with --images', undefined);
        dataset = await loadIdx(options.images, options.labels);
      } else {
        if (!options.dataset) throw invalidType('--dataset', "a dataset name (or --images and --labels)", undefined);
        assertOneOf('--dataset', options.dataset, DATASET_NAMES);
        dataset = await loadDataset(options.dataset, 'train');
      }
      if (options.encoder !== undefined) process.stderr.write('sslmem train: --encoder is deprecated; use --architecture\n');
      const architecture = options.encoder ?? options.architecture;
      findArchitecture(architecture, '--architecture');
      validateMethodScalars(findMethod(options.method, '--method'), options.methodOption ?? {}, '--method-option');
      if (options.optimizer !== undefined) assertOneOf('--optimizer', options.optimizer, optimizers);
      assertOneOf('--device', options.device, ['cpu', 'cuda'] as const);
      const augmentation = augmentationFor(/^\s*[[{]/.test(options.pipeline) ? (JSON.parse(options.pipeline) as PipelineSpec | CropGroupSpec[]) : options.pipeline);
      const distributed = distributedConfigFromEnv();
      const leader = !distributed || distributed.rank === 0;
      if (distributed) process.stderr.write(`rank ${distributed.rank} of ${distributed.worldSize} (${distributed.backend}, master ${distributed.masterAddr}:${distributed.masterPort})\n`);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      const started = Date.now();
      // Steps across all epochs; the total is revised from the first report (steps per epoch).
      const bar = new ProgressBar(`training ${options.method}`, 1, leader);
      const onProgress = (p: TrainProgress) =>
        bar.update(
          (p.epoch - 1) * p.stepsPerEpoch + p.step,
          p.epochs * p.stepsPerEpoch,
          `epoch ${p.epoch}/${p.epochs}, loss ${p.loss.toFixed(4)}, ${Math.round(p.imagesPerSecond)} img/s` + (p.knnAccuracy !== undefined ? `, kNN ${(100 * p.knnAccuracy).toFixed(1)}%` : ''),
        );
      const temperature = optionalNumber('--temperature', options.temperature);
      // Temp files a killed `sslmem train` left beside its output (OUT.tmp-PID, OUT.ckpt.tmp-PID).
      if (fs.existsSync(path.dirname(path.resolve(options.out)))) removeDeadTemps(path.dirname(path.resolve(options.out)), path.basename(options.out));
      const result = await train({
        images: dataset.images,
        encoder: { architecture, width: optionalNumber('--width', options.width), settings: options.architectureSetting },
        method: options.method,
        methodOptions: { ...options.methodOption, ...(temperature !== undefined ? { temperature } : {}) },
        ...augmentation,
        epochs: parseInteger('--epochs', options.epochs),
        batchSize: parseInteger('--batch-size', options.batchSize),
        optimizer: { ...(options.optimizer !== undefined ? { name: options.optimizer } : {}), ...(options.lr !== undefined ? { lr: optionalNumber('--lr', options.lr) } : {}) },
        warmupEpochs: optionalNumber('--warmup-epochs', options.warmupEpochs),
        seed: parseInteger('--seed', options.seed),
        threads: optionalInteger('--threads', options.threads),
        device: options.device,
        ...(options.checkpointEvery ? { checkpoint: { path: `${options.out}.ckpt`, every: parseInteger('--checkpoint-every', options.checkpointEvery) } } : {}),
        ...(options.resume ? { resume: options.resume } : {}),
        dataFingerprint: datasetFingerprint(dataset),
        ...(distributed ? { distributed } : {}),
        ...(leader ? { onProgress } : {}),
        signal: controller.signal,
      }).finally(() => process.removeListener('SIGINT', onSigint));
      bar.finish();
      // Every rank ends with the same encoder; one file is enough.
      if (!leader) {
        process.stderr.write(`rank ${distributed!.rank}: done; rank 0 saves ${options.out}\n`);
        result.encoder.dispose();
        return;
      }
      await result.encoder.save(options.out);
      const seconds = (Date.now() - started) / 1000;
      if (options.json) {
        process.stdout.write(JSON.stringify({ out: options.out, seconds, description: result.encoder.description, history: result.history }, null, 2) + '\n');
      } else {
        const last = result.history[result.history.length - 1];
        process.stdout.write(
          `trained ${options.method} ${architecture} on ${dataset.name} (${dataset.images.shape[0]} images) for ${last.epoch} epochs in ${formatSeconds(seconds)}; ` +
            `final loss ${last.loss.toFixed(4)}; saved ${options.out}\n`,
        );
      }
      result.encoder.dispose();
    });
}
