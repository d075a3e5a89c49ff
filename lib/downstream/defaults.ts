/**
 * The experiments' default training and scoring: contract D's `train` (lib/train) and the score
 * capability's `score` (lib/score). The experiments themselves take any {@link ExperimentHooks},
 * so they test with fakes and never load the torch tier.
 */
import type { AlignMetric } from '../align/metrics';
import type { PipelineSpec } from '../augment/spec';
import { invalidType } from '../errors';
import { score, ScoringEncoder } from '../score';
import { train } from '../train';
import type { Method, MethodOptions } from '../train';
import type { Architecture } from '../encoder/description';
import type { ExperimentHooks, TrainedEncoder } from './hooks';

/** How each encoder of an experiment is trained (contract D's train options, minus data and seed). */
export interface TrainingRecipe {
  /** Default 'small-cnn' (keeps spatial detail: the calibration in docs/downstream.md). */
  architecture?: Architecture;
  width?: number;
  /** Default 'simclr'. */
  method?: Method;
  /** Default { temperature: 0.2 } for SimCLR (the calibration trial's setting). */
  methodOptions?: MethodOptions;
  /** Default 'grayscale-28' (28x28 grayscale views for (Fashion-)MNIST). */
  pipeline?: PipelineSpec | string;
  epochs: number;
  /** Default 256. */
  batchSize?: number;
  optimizer?: { name: 'sgd' | 'adam' | 'adamw' | 'lars'; lr: number; momentum?: number; weightDecay?: number };
  threads?: number;
  device?: 'cpu' | 'cuda';
  onEpoch?: (name: string, epoch: number, epochs: number, loss: number) => void;
}

/** How points are scored (the score capability's options, minus encoders and data). */
export interface ScoringRecipe {
  /** Augmented views per point (lib/score's default 16; anchor mode compares each with the clean image). */
  views?: number;
  mode?: 'anchor' | 'pairs';
  pipeline?: PipelineSpec | string;
  metric?: AlignMetric;
  batchSize?: number;
  threads?: number;
}

/** The hooks' encoders come from trainEncoder below, so they are sslmem Encoders; a caller mixing hooks must keep it so. */
function scoringEncoder(name: string, encoder: TrainedEncoder): ScoringEncoder {
  const candidate = encoder as Partial<ScoringEncoder>;
  if (typeof candidate.embedViews !== 'function' || typeof candidate.description !== 'object') {
    throw invalidType(name, 'an encoder with description and embedViews (an sslmem Encoder)', encoder);
  }
  return candidate as ScoringEncoder;
}

/** Hooks that train with lib/train and score with lib/score. */
export function defaultHooks(recipe: TrainingRecipe, scoring: ScoringRecipe = {}): ExperimentHooks {
  return {
    async trainEncoder(request) {
      const method = recipe.method ?? 'simclr';
      const result = await train({
        images: request.images,
        encoder: { architecture: recipe.architecture ?? 'small-cnn', width: recipe.width },
        method,
        methodOptions: recipe.methodOptions ?? (method === 'simclr' ? { temperature: 0.2 } : undefined),
        pipeline: recipe.pipeline ?? 'grayscale-28',
        epochs: recipe.epochs,
        batchSize: Math.min(recipe.batchSize ?? 256, request.images.shape[0]),
        optimizer: recipe.optimizer,
        seed: request.seed,
        threads: recipe.threads,
        device: recipe.device,
        signal: request.signal,
        onProgress: recipe.onEpoch
          ? (p: { epoch: number; epochLoss?: number }) => {
              if (p.epochLoss !== undefined) recipe.onEpoch?.(request.name, p.epoch, recipe.epochs, p.epochLoss);
            }
          : undefined,
      });
      return result.encoder;
    },
    async scorePoints(request) {
      return score({ ...scoring, f: scoringEncoder('request.f', request.f), g: scoringEncoder('request.g', request.g), images: request.images, itemIds: request.itemIds, seed: request.seed, signal: request.signal });
    },
  };
}
