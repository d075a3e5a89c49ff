/**
 * Self-supervised training in the torch tier (native/torch/train_loop.h): the registered methods
 * ({@link listMethods}) on a libtorch worker thread, views from the augmentation kernel prepared one batch
 * ahead, progress through a callback, cancellation through an AbortSignal, atomic checkpoints
 * and exact resume on CPU.
 *
 * Concurrency: one training job uses libtorch's intra-op pool (`threads`, process-wide) plus one
 * view-preparation thread; run jobs one at a time for reproducible speed.
 */
import * as path from 'node:path';
import { torch } from '../binding';
import { withCancel } from '../abort';
import { outOfRange, withCallSite } from '../errors';
import { defaultNormalize, Encoder, EncoderDescription, encoderFormat, listArchitectures } from '../encoder';
import { resolveCropGroups, resolvePipeline, validatePipeline } from '../augment';
import type { ResolvedCropGroup } from '../augment';
import { resolveDistributedConfig } from '../distributed';
import type { PipelineSpec } from '../augment';
import { splitMethodOptions, TrainOptions, TrainProgress, validateTrainOptions } from './options';
import { findMethod } from './methods';
import { warnIfReferenceBlas } from './blas-warning';

export * from './options';
export * from './methods';

/** One epoch of training. */
export interface EpochSummary {
  epoch: number;
  /** Mean loss over the epoch's steps. */
  loss: number;
  imagesPerSecond: number;
  knnAccuracy?: number;
}

export interface TrainResult {
  /** The trained backbone (description records method, config, epochs and losses). */
  encoder: Encoder;
  /** Every epoch, those restored by `resume` included (their imagesPerSecond is 0). */
  history: EpochSummary[];
}

/**
 * Trains an SSL encoder. Returns when all epochs ran; rejects with an AbortError when `signal`
 * aborts (between steps), with a RangeError/TypeError for invalid options, and with
 * ERR_SSLMEM_CUDA_UNAVAILABLE when `device: 'cuda'` has no GPU. Warns once per process
 * (SSLMEM_REFERENCE_BLAS) when libtorch runs on the slow netlib reference BLAS.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  warnIfReferenceBlas();
  validateTrainOptions(options);
  const native = torch();
  const sample = options.views ? null : options.images!;
  const inputShape: [number, number, number] = options.views
    ? [options.views.shape[2], options.views.shape[3], options.views.shape[4]]
    : [sample!.shape[3], sample!.shape[1], sample!.shape[2]];
  let pipeline: PipelineSpec | undefined;
  let cropGroups: ResolvedCropGroup[] | undefined;
  if (options.multiCrop !== undefined) {
    cropGroups = resolveCropGroups(options.multiCrop, 'options.multiCrop', { height: sample!.shape[1], width: sample!.shape[2], channels: sample!.shape[3] });
  } else if (!options.views) {
    pipeline = resolvePipeline(options.pipeline as PipelineSpec | string, 'options.pipeline');
    validatePipeline('options.pipeline', pipeline, { height: sample!.shape[1], width: sample!.shape[2], channels: sample!.shape[3] });
  }
  // What the method trains on at the encoder's input size: the pipeline, or multi-crop's group 0.
  const firstPipeline = cropGroups ? cropGroups[0].pipeline : pipeline;
  const base: Encoder =
    options.encoder instanceof Encoder
      ? options.encoder
      : Encoder.create({ architecture: options.encoder.architecture, width: options.encoder.width, settings: options.encoder.settings, inputShape, seed: options.seed });
  const expected = base.description.inputShape;
  if (expected.some((v, i) => v !== inputShape[i])) {
    throw outOfRange(
      options.views ? 'options.views' : 'options.images',
      `images of [C, H, W] = [${expected.join(', ')}] for this encoder`,
      `[${inputShape.join(', ')}]`,
      true,
    );
  }
  if (base.description.architecture === 'torchscript') {
    throw outOfRange('options.encoder', `a native encoder (${listArchitectures().map((a) => a.name).join(', ')})`, 'a TorchScript encoder', true);
  }
  const channels = expected[0];
  // embed() must see what training saw: the pipeline's normalization (none: pixels in [0, 1]),
  // or for ready-made views the encoder's own.
  const normalize = firstPipeline
    ? (firstPipeline.views[0].normalize ?? { mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1) })
    : (base.description.normalize ?? defaultNormalize(channels));
  // What the caller leaves out comes from the method's paper (the library's SGD defaults for most).
  const paper = findMethod(options.method, 'options.method').optimizer;
  const name = options.optimizer?.name ?? paper.name;
  const fromPaper = name === paper.name;
  const optimizer = {
    name,
    lr: options.optimizer?.lr ?? ((fromPaper ? paper.baseLr : 0.03) * options.batchSize) / 256,
    momentum: options.optimizer?.momentum ?? 0.9,
    weightDecay: options.optimizer?.weightDecay ?? (fromPaper ? paper.weightDecay : 5e-4),
    ...(name === 'adam' || name === 'adamw' ? { betas: options.optimizer?.betas ?? ((fromPaper ? paper.betas : [0.9, 0.999]) as [number, number]) } : {}),
  };
  const mo = options.methodOptions ?? {};
  const { heads, scalars } = splitMethodOptions(mo);
  const distributed = options.distributed ? resolveDistributedConfig(options.distributed, 'options.distributed') : undefined;
  const config = {
    method: options.method,
    methodOptions: mo,
    epochs: options.epochs,
    batchSize: options.batchSize,
    optimizer,
    warmupEpochs: options.warmupEpochs ?? 0,
    seed: options.seed,
    ...(distributed ? { worldSize: distributed.worldSize } : {}),
  };
  const previous = base.description;
  const description: Omit<EncoderDescription, 'epoch' | 'lossHistory'> = {
    format: encoderFormat,
    architecture: previous.architecture,
    inputShape: previous.inputShape,
    reprDim: previous.reprDim,
    width: previous.width,
    ...(previous.settings ? { settings: previous.settings } : {}),
    method: options.method,
    config,
    ...(pipeline !== undefined ? { pipeline } : {}),
    ...(cropGroups !== undefined ? { multiCrop: cropGroups } : {}),
    normalize: { mean: [...normalize.mean], std: [...normalize.std] },
    ...(options.dataFingerprint !== undefined ? { dataFingerprint: options.dataFingerprint } : {}),
  };
  const onProgress = options.onProgress;
  const report = (p: Omit<TrainProgress, 'epochs'>) => {
    if (!onProgress) return;
    try {
      onProgress({ ...p, epochs: options.epochs });
    } catch (error) {
      // A throwing callback must not kill the native loop; surface it asynchronously.
      queueMicrotask(() => {
        throw error;
      });
    }
  };
  const monitor = options.monitor;
  const result = await withCallSite(
    withCancel(options.signal, (cancel) =>
      native.train(
        {
          method: options.method,
          methodOptions: scalars,
          ...heads,
          epochs: options.epochs,
          batchSize: options.batchSize,
          ...(options.itemIds ? { itemIds: Int32Array.from(options.itemIds) } : {}),
          optimizer: optimizer.name,
          ...(optimizer.betas ? { betas: Float64Array.from(optimizer.betas) } : {}),
          lr: optimizer.lr,
          momentum: optimizer.momentum,
          weightDecay: optimizer.weightDecay,
          warmupEpochs: options.warmupEpochs ?? 0,
          seed: options.seed,
          threads: options.threads ?? 0,
          device: options.device ?? 'cpu',
          ...(options.checkpoint ? { checkpointPath: path.resolve(options.checkpoint.path), checkpointEvery: options.checkpoint.every } : {}),
          ...(options.resume ? { resume: path.resolve(options.resume) } : {}),
          ...(monitor
            ? {
                monitorEvery: monitor.every,
                monitorTrain: { images: monitor.train.images, labels: monitor.train.labels },
                monitorTest: { images: monitor.test.images, labels: monitor.test.labels },
                monitorClasses: Math.max(monitor.train.classes?.length ?? 0, maxLabel(monitor.train.labels) + 1, maxLabel(monitor.test.labels) + 1),
              }
            : {}),
          normalizeMean: Float32Array.from(normalize.mean),
          normalizeStd: Float32Array.from(normalize.std),
          description: JSON.stringify(description),
          encoder: base.handle,
          ...(options.views
            ? { views: options.views }
            : cropGroups
              ? { images: options.images, multiCrop: cropGroups.map((g) => ({ pipeline: g.pipeline, count: g.count })) }
              : { images: options.images, pipeline }),
          ...(distributed ? { distributed } : {}),
          cancel,
        },
        report,
      ),
    ),
  );
  if (options.encoder !== base) base.dispose();
  const finalDescription = JSON.parse(result.encoder.info().description) as EncoderDescription;
  const encoder = new Encoder(result.encoder, finalDescription);
  return { encoder, history: result.history.map((h) => ({ ...h })) };
}

function maxLabel(labels: Int32Array): number {
  let max = -1;
  for (const l of labels) if (l > max) max = l;
  return max;
}
