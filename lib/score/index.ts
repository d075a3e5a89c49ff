/**
 * SSLMem end to end (Wang et al., ICLR 2024): split manifests, per-point scores with standard
 * errors from an encoder pair (f trained with the points, g without), statistics and outputs,
 * sharding for clusters. See docs/scoring.md.
 */
export * from './splits';
export * from './score';
export * from './manifest-scoring';
export * from './summary';
export * from './output';
export * from './scores-csv';
export * from './shard';
export * from './layers';
export { mean, median, std, variance, quantile, welchTTest, effectSize, oneSampleTTest, pointPValue, benjaminiHochberg, describeSample, combineMoments } from './stats';
export type { WelchResult, EffectSize, OneSampleResult, BenjaminiHochbergResult, Descriptive } from './stats';
export { studentTCdf, studentTSurvival, normalCdf, normalSurvival, regularizedIncompleteBeta, logGamma } from './distributions';
export { seededPermutation } from './random';
