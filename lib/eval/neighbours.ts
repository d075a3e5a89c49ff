/**
 * Cosine nearest neighbours of frozen features (libtorch, worker thread): the building block of
 * the typicality measure (lib/downstream/typicality.ts).
 */
import { torch } from '../binding';
import { withCallSite } from '../errors';
import { withCancel } from '../abort';
import type { Float32Tensor, Tensor } from '../tensor';
import { assertBoolean, assertInteger, assertObject } from '../validate';
import { assertFeatures } from './checks';

export interface NearestNeighboursOptions {
  /** Neighbours per query (clamped to the bank size, minus one with excludeSelf). */
  k: number;
  /** The queries are the bank itself: query i never returns bank row i. Default false. */
  excludeSelf?: boolean;
  /** Query rows per similarity matmul. Default 1024. */
  batchSize?: number;
  signal?: AbortSignal;
}

export interface NearestNeighbours {
  /** [M, k] cosine similarities, descending per row (a zero vector has similarity 0 to all). */
  similarities: Float32Tensor;
  /** [M, k] bank row indices. */
  indices: Tensor<Int32Array>;
}

/** The k most cosine-similar bank rows of each query. */
export async function nearestNeighbours(bank: Float32Tensor, queries: Float32Tensor, options: NearestNeighboursOptions): Promise<NearestNeighbours> {
  assertFeatures('bank', bank);
  assertFeatures('queries', queries, bank.shape[1]);
  assertObject('options', options);
  assertInteger('options.k', options.k, { min: 1 });
  const excludeSelf = options.excludeSelf ?? false;
  assertBoolean('options.excludeSelf', excludeSelf);
  const batchSize = options.batchSize ?? 1024;
  assertInteger('options.batchSize', batchSize, { min: 1 });
  return withCancel(options.signal, (cancel) =>
    withCallSite(torch().nearestNeighbours(bank, queries, { k: options.k, excludeSelf, batchSize, cancel })),
  );
}
