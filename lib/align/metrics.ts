/**
 * The alignment metrics and pairing modes: names, which way each metric points, and the pairs of
 * views each pairing compares. The exact definitions and edge cases (zero vectors, accumulation)
 * are stated once in native/kernels/align.h and summarised on {@link AlignMetric}.
 */
import { outOfRange } from '../errors';
import { assertInteger, assertOneOf } from '../validate';

/**
 * How two views' representations x, y are compared. With x^ = x / max(||x||, 1e-12) (PyTorch's
 * `F.normalize`, so a zero vector normalizes to zero):
 * - `'cosine-similarity'`: <x^, y^> (a similarity; 0 for a zero vector).
 * - `'cosine-distance'`: 1 - cosine similarity.
 * - `'l2-normalized'`: ||x^ - y^|| (the SSLMem alignment distance, Wang et al., ICLR 2024;
 *   computed from the difference itself, accurate for near-identical views).
 * - `'angular'`: the angle in radians, in [0, pi] (2 atan2(||x^ - y^||, ||x^ + y^||)).
 * - `'l2'`: ||x - y|| on raw vectors. `'squared-l2'`: ||x - y||^2 on raw vectors.
 */
export type AlignMetric = 'cosine-similarity' | 'cosine-distance' | 'l2-normalized' | 'l2' | 'squared-l2' | 'angular';

/**
 * Which pairs of a point's V views are compared. V counts the rows of the tensor, so in anchor
 * pairing it includes the clean view 0; lib/score's `views` counts augmented views only and hands
 * this layer V + 1 rows in anchor mode.
 * - `'anchor'`: (0, j) for j = 1..V-1. View 0 is the clean image: what the SSLMem authors' code does.
 * - `'pairs'`: (0,1), (2,3), ...: floor(V/2) disjoint pairs of augmented views: the paper's formula
 *   (an expectation over pairs of augmentations). With odd V the last view is unused.
 * - `'all-pairs'`: every (i, j) with i < j, ordered by i then j (the U-statistic).
 */
export type Pairing = 'anchor' | 'pairs' | 'all-pairs';

/** Every metric name, in documentation order. */
export const alignMetrics: readonly AlignMetric[] = ['l2-normalized', 'cosine-similarity', 'cosine-distance', 'angular', 'l2', 'squared-l2'];

/** Every pairing name. */
export const pairings: readonly Pairing[] = ['anchor', 'pairs', 'all-pairs'];

/**
 * `'similarity'` for cosine similarity (larger = better aligned), `'distance'` for the others
 * (smaller = better aligned). An alignment loss is a distance; a memorization score computed from a
 * similarity has the opposite sign.
 */
export function metricKind(metric: AlignMetric): 'distance' | 'similarity' {
  assertOneOf('metric', metric, alignMetrics);
  return metric === 'cosine-similarity' ? 'similarity' : 'distance';
}

/** Number of view pairs per point for a pairing and V views (V >= 2). */
export function pairCount(pairing: Pairing, views: number): number {
  assertOneOf('pairing', pairing, pairings);
  assertViews(views);
  if (pairing === 'anchor') return views - 1;
  if (pairing === 'pairs') return Math.floor(views / 2);
  return (views * (views - 1)) / 2;
}

/** The view pairs [i, j] in the order their values appear in `pairs` outputs. */
export function pairIndices(pairing: Pairing, views: number): Array<[number, number]> {
  assertOneOf('pairing', pairing, pairings);
  assertViews(views);
  const out: Array<[number, number]> = [];
  if (pairing === 'anchor') for (let j = 1; j < views; j++) out.push([0, j]);
  else if (pairing === 'pairs') for (let i = 0; i + 1 < views; i += 2) out.push([i, i + 1]);
  else for (let i = 0; i < views; i++) for (let j = i + 1; j < views; j++) out.push([i, j]);
  return out;
}

function assertViews(views: number): void {
  assertInteger('views', views);
  if (views < 2) throw outOfRange('views', 'at least 2 views for every pairing', views);
}
