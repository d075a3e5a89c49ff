/**
 * What memorization buys (the SSLMem paper, Sec. 5): cross-fitted scores for a whole training set,
 * the removal experiment, and memorization against atypicality. See docs/downstream.md.
 */
export { crossfitScores, crossfitViolations, CROSSFIT_FORMAT } from './crossfit';
export type { CrossfitOptions, CrossfitResult, CrossfitManifest, CrossfitEncoderRecord } from './crossfit';
export { writeCrossfitOutputs, crossfitCsv } from './crossfit-output';
export { removalExperiment, removalSet, writeRemovalOutputs, REMOVAL_MANIFEST_FORMAT } from './removal';
export type { RemovalOptions, RemovalResult, RemovalManifest, RemovalManifestRun, RemovalTaskSpec } from './removal';
export { summarizeRemoval, REMOVAL_ARMS } from './removal-summary';
export type { RemovalArm, RemovalTask, RemovalMethod, RemovalRunRecord, RemovalCell, RemovalSummary } from './removal-summary';
export { typicality, knnAtypicality, binnedSummary, typicalityJson, DEFAULT_TYPICALITY_K, DEFAULT_TYPICALITY_BINS } from './typicality';
export type { TypicalityOptions, TypicalityResult, TypicalityBin, AtypicalityOptions } from './typicality';
export { spearman, averageRanks, pearson } from './rank';
export type { SpearmanResult } from './rank';
export { defaultHooks } from './defaults';
export type { TrainingRecipe, ScoringRecipe } from './defaults';
export type { ExperimentHooks, TrainedEncoder, TrainRequest, ScoreRequest, PointScores } from './hooks';
export { makeFolds } from './folds';
export { loadTask, firstPoints } from './tasks';
