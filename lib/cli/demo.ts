import { Command } from 'commander';
import { addRunOptions, RunFlags, runFromFlags } from './run';
import { applyConfig } from './score-common';

/**
 * Settings of `sslmem demo`: the spatial small CNN (conv, flatten, 512-d linear) at half width,
 * SimCLR at temperature 0.2, 120 epochs over 128 images per encoder, 32 views per point, sized so
 * the whole run (two trainings, scoring, report) takes about 3.5 minutes on 2 cores with Debian's
 * libtorch 1.13 (one SimCLR step on 2 x 128 views of 28x28 takes ~0.85 s there, as in PyTorch).
 * That budget is below what the calibration needed to see a signal (300 epochs over 256 images per
 * encoder gave mean m(S_C) - mean m(S_I) ~ 0.02 at 3 standard errors), so the demo shows the
 * machinery and its statistics honestly, not a memorization effect: use `sslmem run` with more
 * epochs and points for that (docs/scoring.md). S_S is empty so every epoch goes to the
 * encoder-specific points; S_E (128 test images) stands for the points neither encoder saw.
 */
export const DEMO_DEFAULTS: Partial<RunFlags> = {
  dataset: 'fashion-mnist-demo',
  shared: 0,
  candidates: 128,
  independent: 128,
  extra: 128,
  extraFrom: 'test',
  architecture: 'small-cnn',
  width: 0.5,
  method: 'simclr',
  temperature: 0.2,
  epochs: 120,
  trainBatchSize: 128,
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
    await runFromFlags(applyConfig(cmd, raw));
  });
}
