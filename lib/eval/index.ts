/**
 * Downstream evaluation of frozen representations: linear probe, weighted kNN, and both applied
 * to an encoder on a same-domain or cross-domain task.
 */
export { linearProbe, DEFAULT_PROBE_LAMBDA, DEFAULT_PROBE_EPOCHS } from './probe';
export type { LinearProbeOptions, LinearProbeResult } from './probe';
export { knnClassify, DEFAULT_KNN_K, DEFAULT_KNN_TEMPERATURE } from './knn';
export type { KnnClassifyOptions, KnnClassifyResult } from './knn';
export { evaluateEncoder } from './evaluate';
export type { EmbeddingEncoder, EvaluateOptions, EvaluationResult } from './evaluate';
export { nearestNeighbours } from './neighbours';
export type { NearestNeighbours, NearestNeighboursOptions } from './neighbours';
