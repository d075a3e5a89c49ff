/**
 * Downstream evaluation of an encoder: embed a labelled train and test set with the frozen encoder
 * (clean images, the encoder's own normalization), then report linear-probe and weighted-kNN
 * accuracy on the test set. Same-domain task: Fashion-MNIST train -> Fashion-MNIST test for an
 * encoder trained on Fashion-MNIST; cross-domain task: the same encoder probed on MNIST
 * (the SSLMem paper, Sec. 5, evaluates downstream transfer the same way).
 */
import type { ImageDataset } from '../data/types';
import { invalidType, outOfRange } from '../errors';
import type { Float32Tensor, Uint8Tensor } from '../tensor';
import { assertObject } from '../validate';
import { knnClassify, KnnClassifyOptions } from './knn';
import { linearProbe, LinearProbeOptions } from './probe';

/** What evaluation needs from an encoder (contract D's `Encoder.embed`). */
export interface EmbeddingEncoder {
  embed(images: Uint8Tensor, options?: { batchSize?: number }): Promise<Float32Tensor>;
}

export interface EvaluateOptions {
  /** Labelled set the probe and the kNN bank are fitted on. */
  train: ImageDataset;
  /** Labelled set accuracy is measured on. */
  test: ImageDataset;
  /** Linear-probe settings (lambda, epochs, threads). */
  probe?: Pick<LinearProbeOptions, 'lambda' | 'epochs' | 'tolerance' | 'threads'>;
  /** kNN settings (k, temperature). */
  knn?: Pick<KnnClassifyOptions, 'k' | 'temperature' | 'batchSize'>;
  /** Images per forward pass when embedding. */
  batchSize?: number;
  /** Which evaluations to run. Default both. */
  methods?: Array<'linear-probe' | 'knn'>;
  signal?: AbortSignal;
}

export interface EvaluationResult {
  train: { name: string; size: number };
  test: { name: string; size: number };
  classes: number;
  reprDim: number;
  linearProbe?: { testAccuracy: number; trainAccuracy: number; lambda: number; loss: number; gradientMaxAbs: number };
  knn?: { accuracy: number; k: number; temperature: number };
  /** Wall seconds for embedding and for each evaluation. */
  seconds: { embed: number; linearProbe?: number; knn?: number };
}

function assertDataset(name: string, value: unknown): asserts value is ImageDataset {
  assertObject(name, value);
  const ds = value as Partial<ImageDataset>;
  if (!ds.images || !(ds.images.data instanceof Uint8Array)) throw invalidType(`${name}.images`, 'a Uint8Tensor [N, H, W, C]', ds.images);
  if (!(ds.labels instanceof Int32Array)) throw invalidType(`${name}.labels`, 'an Int32Array', ds.labels);
  if (ds.labels.length !== ds.images.shape[0]) throw outOfRange(`${name}.labels.length`, `${ds.images.shape[0]} (one per image)`, ds.labels.length);
}

/** Embeds both sets with the frozen encoder and measures linear-probe and kNN accuracy. */
export async function evaluateEncoder(encoder: EmbeddingEncoder, options: EvaluateOptions): Promise<EvaluationResult> {
  if (!encoder || typeof (encoder as EmbeddingEncoder).embed !== 'function') throw invalidType('encoder', 'an Encoder (with embed())', encoder);
  assertObject('options', options);
  assertDataset('options.train', options.train);
  assertDataset('options.test', options.test);
  const methods = options.methods ?? ['linear-probe', 'knn'];
  const classes = Math.max(options.train.classes.length, maxLabel(options.train.labels) + 1, maxLabel(options.test.labels) + 1);
  let start = performance.now();
  const embedOptions = options.batchSize ? { batchSize: options.batchSize } : undefined;
  const trainFeatures = await encoder.embed(options.train.images, embedOptions);
  options.signal?.throwIfAborted();
  const testFeatures = await encoder.embed(options.test.images, embedOptions);
  const result: EvaluationResult = {
    train: { name: options.train.name, size: options.train.labels.length },
    test: { name: options.test.name, size: options.test.labels.length },
    classes,
    reprDim: trainFeatures.shape[1],
    seconds: { embed: (performance.now() - start) / 1000 },
  };
  const common = { trainFeatures, trainLabels: options.train.labels, testFeatures, testLabels: options.test.labels, classes, signal: options.signal };
  if (methods.includes('linear-probe')) {
    start = performance.now();
    const probe = await linearProbe({ ...common, ...options.probe });
    result.linearProbe = {
      testAccuracy: probe.testAccuracy,
      trainAccuracy: probe.trainAccuracy,
      lambda: probe.lambda,
      loss: probe.loss,
      gradientMaxAbs: probe.gradientMaxAbs,
    };
    result.seconds.linearProbe = (performance.now() - start) / 1000;
  }
  if (methods.includes('knn')) {
    start = performance.now();
    const knn = await knnClassify({ ...common, ...options.knn });
    result.knn = { accuracy: knn.accuracy, k: knn.k, temperature: knn.temperature };
    result.seconds.knn = (performance.now() - start) / 1000;
  }
  return result;
}

function maxLabel(labels: Int32Array): number {
  let max = -1;
  for (const label of labels) if (label > max) max = label;
  return max;
}
