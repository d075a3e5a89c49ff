import { Command } from 'commander';
import { addRunOptions, RunFlags, runExperiment } from './run';
import { applyConfig } from './score-common';

/**
 * Settings of `sslmem demo`, chosen from the calibration (docs/scoring.md): the spatial small CNN,
 * SimCLR at temperature 0.2, many epochs over few images per encoder and many views per point,
 * sized to finish in under 5 minutes on 2 cores.
 */
export const DEMO_DEFAULTS: Partial<RunFlags> = {
  dataset: 'fashion-mnist-demo',
  shared: 256,
  candidates: 256,
  independent: 256,
  extra: 256,
  extraFrom: 'test',
  architecture: 'small-cnn',
  method: 'simclr',
  temperature: 0.2,
  epochs: 60,
  trainBatchSize: 256,
  optimizer: 'adam',
  lr: 1e-3,
  views: 32,
  out: 'sslmem-demo',
};

/** `sslmem demo`: the whole experiment on the Fashion-MNIST subset shipped with the package. */
export function registerDemo(program: Command): void {
  const cmd = program
    .command('demo')
    .description('run the whole SSLMem experiment on the Fashion-MNIST subset shipped with sslmem (small CNN, SimCLR; a few minutes on 2 cores)');
  addRunOptions(cmd, DEMO_DEFAULTS).action(async (raw: RunFlags) => {
    await runExperiment(applyConfig(cmd, raw));
  });
}
