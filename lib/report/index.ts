/**
 * The HTML report of a run directory: summary table, histograms of m per split group, the gallery
 * of the most and least memorized images, per-class bars, memorization vs atypicality, LayerMem,
 * UnitMem (selectivity per layer, the points most units select) and the removal curves.
 * Self-contained: inline CSS, images in a sibling folder, no network.
 */
export { writeReport, REPORT_FILE, REPORT_ASSETS } from './write';
export type { WriteReportOptions, WrittenReport } from './write';
export { readRunDirectory } from './rundir';
export type { RunDirectory, ReportSummary, TypicalityFile } from './rundir';
export { formatNumber } from './html';
export { readUnitMemFolder } from './unitmem';
export type { UnitMemFolder } from './unitmem';
export { writeRunTypicality } from './typicality-run';
export type { RunTypicalityOptions } from './typicality-run';
