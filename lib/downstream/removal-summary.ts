/**
 * The removal experiment's result table: one cell per (arm, n, task, method) with the mean and
 * standard deviation (ddof 1) of accuracy over retraining seeds. Pure, so the report and the CLI
 * summarize the same way.
 */
import { mean, std } from '../score/stats';

/** Which points an arm removes: the n most memorized, n at random, or the n least memorized. */
export const REMOVAL_ARMS = ['top', 'random', 'bottom'] as const;
export type RemovalArm = (typeof REMOVAL_ARMS)[number];
export type RemovalTask = 'same-domain' | 'cross-domain';
export type RemovalMethod = 'linear-probe' | 'knn';

/** One retraining: which arm, how many removed, the seed, and the accuracies it reached. */
export interface RemovalRunRecord {
  arm: RemovalArm;
  n: number;
  seed: number;
  /** Accuracy per task and method. */
  accuracy: Partial<Record<RemovalTask, Partial<Record<RemovalMethod, number>>>>;
}

export interface RemovalCell {
  arm: RemovalArm;
  n: number;
  task: RemovalTask;
  method: RemovalMethod;
  /** Over seeds. */
  mean: number;
  /** ddof 1; NaN for a single seed. */
  std: number;
  values: number[];
}

export interface RemovalSummary {
  format: 'sslmem-removal/1';
  arms: RemovalArm[];
  sizes: number[];
  seeds: number[];
  cells: RemovalCell[];
}

/** Groups runs into cells (arms in REMOVAL_ARMS order, n ascending, seeds in run order). */
export function summarizeRemoval(runs: readonly RemovalRunRecord[]): RemovalSummary {
  const arms = REMOVAL_ARMS.filter((arm) => runs.some((run) => run.arm === arm));
  const sizes = [...new Set(runs.map((run) => run.n))].sort((a, b) => a - b);
  const seeds = [...new Set(runs.map((run) => run.seed))];
  const cells: RemovalCell[] = [];
  for (const arm of arms) {
    for (const n of sizes) {
      const members = runs.filter((run) => run.arm === arm && run.n === n);
      for (const task of ['same-domain', 'cross-domain'] as const) {
        for (const method of ['linear-probe', 'knn'] as const) {
          const values = members.map((run) => run.accuracy[task]?.[method]).filter((v): v is number => typeof v === 'number');
          if (values.length === 0) continue;
          cells.push({ arm, n, task, method, mean: mean(values), std: std(values), values });
        }
      }
    }
  }
  return { format: 'sslmem-removal/1', arms, sizes, seeds, cells };
}
