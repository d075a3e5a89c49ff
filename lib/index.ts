/**
 * sslmem: measure how much a self-supervised image encoder memorizes each training point
 * (SSLMem: Wang et al., "Memorization in Self-Supervised Learning Improves Downstream
 * Generalization", ICLR 2024).
 */
export * from './errors';
export * from './tensor';
export { systemInfo, torchInfo, setTorchThreads } from './system';
export type { SystemInfo } from './system';
export { detectBlas, classifyBlas, blasSummary, RECOMMENDED_BLAS_PACKAGE } from './blas';
export type { BlasKind, BlasThreading, BlasLibrary, BlasReport } from './blas';
export { REFERENCE_BLAS_WARNING } from './train/blas-warning';
export type { KernelCapabilities, TorchInfo } from './binding';
export { torchAvailable } from './binding';
export type { ImageDataset } from './data/types';
export { Encoder, knnAccuracy, listArchitectures, findArchitecture, encoderFormat } from './encoder';
export type { Architecture, ArchitectureInfo, ArchitectureSettings, CreateEncoderOptions, EmbedOptions, EncoderDescription, KnnOptions } from './encoder';
export { train, listMethods, findMethod, optimizers } from './train';
export type { EpochSummary, Method, MethodInfo, MethodOptionInfo, MethodOptions, OptimizerName, OptimizerOptions, TrainOptions, TrainProgress, TrainResult } from './train';
export { align, alignDifference, alignBackends, alignMetrics, pairings, metricKind, pairCount, pairIndices } from './align';
export type { AlignMetric, Pairing, AlignOptions, AlignResult, DifferenceResult, Float16BitsTensor, ReprsTensor } from './align';
export * from './data';
export * from './distributed';
export {
  augment, augmentBackend, sampleParams, applyParams, presets, presetNames, resolvePipeline, withCleanAnchor, withNormalize,
  validatePipeline, JitterOps, augmentMultiCrop, sampleMultiCropParams, resolveCropGroups, multiCropPresets, multiCropPresetNames,
} from './augment';
export type {
  AugmentOptions, ApplyParamsOptions, SampleParamsOptions, PipelineSpec, ViewTransformSpec, ViewParams, PresetName,
  CropGroupSpec, MultiCropOptions, SampleMultiCropParamsOptions, MultiCropPresetName,
} from './augment';
export {
  makeSplits, readManifest, writeManifest, validateManifest, checkManifestDataset, SPLIT_GROUPS,
  score, scoreModes, scoreManifest, planPoints, finalizeScores, writeScoreOutputs, scoresCsv, scoresJsonl, summaryJson, summaryText,
  parseShard, shardRange, writePart, readPart, mergeParts, partFileName,
  scoreLayers, summarizeLayers, layersCsv, layersText,
  welchTTest, effectSize, benjaminiHochberg, pointPValue, quantile, studentTCdf, normalCdf,
} from './score';
export type {
  SplitManifest, SplitGroup, DatasetRef, MakeSplitsOptions, ScoreOptions, ScoreResult, ScoreMode, ScoreProgress, AdaptiveOptions, ScoringEncoder,
  ScoreManifestOptions, ManifestScores, PointScore, ScoredPoint, ScoreRunInfo, ScoreSummary, Shard, ScorePart,
  ScoreLayersOptions, ScoreLayersResult, PointScores, LayerPointScore, LayerSummary,
} from './score';
export * from './unitmem';
export * from './eval';
export * from './downstream';
export * from './design';
export { writeReport, readRunDirectory, writeRunTypicality, REPORT_FILE, REPORT_ASSETS } from './report';
export type { WriteReportOptions, WrittenReport, RunDirectory, RunTypicalityOptions } from './report';
