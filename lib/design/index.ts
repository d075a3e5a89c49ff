/** Experimental designs of SSLMem: which encoders to train and how their scores combine (docs/scoring.md, "Designs"). */
export * from './estimators';
export * from './plan';
export * from './experiment';
export { DEFAULT_SEGMENT_POINTS, scoreManifestInSegments } from './segments';
export type { SegmentedScoringOptions } from './segments';
