/**
 * The downstream tasks of the experiments: same-domain (the encoder's own dataset, train -> test)
 * and cross-domain (another dataset, e.g. an encoder trained on Fashion-MNIST probed on MNIST).
 */
import { DatasetName, loadDataset, subset } from '../data';
import type { ImageDataset } from '../data/types';
import type { RemovalTaskSpec } from './removal';

/** The first `limit` points of a dataset (all when limit is undefined or larger). */
export function firstPoints(ds: ImageDataset, limit?: number): ImageDataset {
  const n = ds.labels.length;
  if (limit === undefined || limit >= n) return ds;
  return subset(ds, Int32Array.from({ length: limit }, (_, i) => i));
}

export interface TaskLimits {
  /** Points of the probe's training split. */
  train?: number;
  /** Points of the test split. */
  test?: number;
}

/** Loads a named dataset's train and test splits as a task. */
export async function loadTask(task: RemovalTaskSpec['task'], name: DatasetName, limits: TaskLimits = {}): Promise<RemovalTaskSpec> {
  const [train, test] = await Promise.all([loadDataset(name, 'train'), loadDataset(name, 'test')]);
  return { task, train: firstPoints(train, limits.train), test: firstPoints(test, limits.test) };
}
