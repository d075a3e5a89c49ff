import type { PointScore, ScoreRunInfo } from '../../lib/score';

/** A run description and 25 raw point scores, as sslmem score would write them: the CLI tests' input for merge. */
export const run: ScoreRunInfo = { mode: 'anchor', metric: 'l2-normalized', pairing: 'anchor', views: 7, pairsPerPoint: 7, adaptive: null, pipeline: { views: [{}] }, seed: 4 };
export const points: PointScore[] = Array.from({ length: 25 }, (_, i) => ({
  index: 3 * i,
  group: ['candidates', 'independent', 'shared', 'extra'][i % 4],
  label: i % 3,
  lossF: 0.4 + 0.001 * i,
  lossG: 0.4 + 0.001 * i + 0.01 * Math.sin(i),
  m: 0.01 * Math.sin(i),
  se: 0.003 + 0.0001 * i,
  count: 7,
}));
