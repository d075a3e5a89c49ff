/**
 * `writeReport(runDir)`: reads the run directory (lib/report/rundir.ts) and writes
 * `<runDir>/report.html` plus the images it shows in `<runDir>/report_files/` (SVG charts, PNG
 * gallery). Both are written under temporary names and renamed into place, so an interrupted run
 * never leaves a half-written report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageDataset } from '../data/types';
import { invalidType } from '../errors';
import { Encoder } from '../encoder';
import { assertInteger, assertOptions, assertString } from '../validate';
import { classBarsChart, histogramChart, layerChart, removalCharts, typicalityChart } from './charts';
import { extremes, galleryAvailable, GalleryImages, writeGalleryImages } from './gallery';
import { reportHtml } from './html';
import { readRunDirectory } from './rundir';
import type { ScoreRow } from '../score/scores-csv';
import { resolveRunImages } from './images';
import { writeRunTypicality } from './typicality-run';
import { writeFileAtomic } from '../io/atomic';

export interface WriteReportOptions {
  /** The run directory as the report names it (default its path; `sslmem run` writes the report before moving the directory into place). */
  runDirLabel?: string;
  /** The dataset the scores' indices point into (overrides images found through the run directory). */
  dataset?: ImageDataset;
  /** The dataset S_E indices point into when the manifest names a separate extraDataset. */
  extraDataset?: ImageDataset;
  /** Finds the images when `dataset` is not given. Default: images.npy or the manifest's named dataset (lib/report/images.ts). */
  resolveImages?: (run: ReturnType<typeof readRunDirectory>) => Promise<GalleryImages | { missing: string }>;
  /** Images in each of the two galleries. Default 24. */
  galleryCount?: number;
  /** Page title. Default "SSLMem report". */
  title?: string;
  /**
   * 'auto' (default): when the run directory has no typicality.json but has g
   * (`encoder-g.sslmem`, written by `sslmem run`), compute typicality of the candidates with g,
   * which never trained on them, and write typicality.json first. false: never.
   */
  typicality?: 'auto' | false;
}

export interface WrittenReport {
  /** Absolute path of report.html. */
  html: string;
  /** Absolute path of the assets folder. */
  assets: string;
  /** Asset file names. */
  files: string[];
  /** Why the gallery is missing, when it is. */
  galleryMissing?: string;
  /** What the automatic typicality step did or why it could not (absent when it had nothing to do). */
  typicalityNote?: string;
}

/** The run directory's g, written by `sslmem run`. */
export const G_ENCODER_FILE = 'encoder-g.sslmem';

/**
 * Which points typicality relates to m: the candidates when the run has them, with every other
 * split group as a control; otherwise every scored point.
 */
export function candidatesWithControls(scores: Array<{ group: string }>): { groups?: string[]; controlGroups?: string[] } {
  const present = [...new Set(scores.map((r) => r.group))];
  if (!present.includes('candidates')) return {};
  return { groups: ['candidates'], controlGroups: present.filter((g) => g !== 'candidates') };
}

/** Computes typicality.json with g when it is missing and g is there (see WriteReportOptions.typicality). */
async function autoTypicality(dir: string): Promise<string | undefined> {
  const gFile = path.join(dir, G_ENCODER_FILE);
  if (fs.existsSync(path.join(dir, 'typicality.json')) || !fs.existsSync(gFile)) return undefined;
  try {
    const g = await Encoder.load(gFile);
    try {
      const t = await writeRunTypicality(dir, { encoder: g, encoderName: `g (${G_ENCODER_FILE})`, ...candidatesWithControls(readRunDirectory(dir).scores) });
      return `typicality computed with g over ${t.spearman.n} points`;
    } finally {
      g.dispose();
    }
  } catch (error) {
    return `typicality not computed: ${(error as Error).message}`;
  }
}

export const REPORT_FILE = 'report.html';
export const REPORT_ASSETS = 'report_files';

/** Writes the HTML report of a run directory (see the module comment). */
export async function writeReport(runDir: string, options: WriteReportOptions = {}): Promise<WrittenReport> {
  assertString('runDir', runDir, { nonEmpty: true });
  assertOptions('options', options);
  if (options.runDirLabel !== undefined) assertString('options.runDirLabel', options.runDirLabel);
  const galleryCount = options.galleryCount ?? 24;
  assertInteger('options.galleryCount', galleryCount, { min: 1, max: 1000 });
  if (options.dataset !== undefined && (typeof options.dataset !== 'object' || !options.dataset.images)) {
    throw invalidType('options.dataset', 'an ImageDataset', options.dataset);
  }
  const dir = path.resolve(runDir);
  readRunDirectory(dir); // fail early on a bad run directory, before any work
  const resolveImages = options.resolveImages ?? resolveRunImages;
  const typicalityNote = options.typicality === false ? undefined : await autoTypicality(dir);
  const run = readRunDirectory(dir);
  const stamp = `${process.pid}-${Date.now()}`;
  const tmpAssets = path.join(dir, `.${REPORT_ASSETS}.tmp-${stamp}`);
  fs.mkdirSync(tmpAssets);
  try {
    const files: Record<string, string> = {};
    const write = (name: string, content: string) => {
      fs.writeFileSync(path.join(tmpAssets, name), content);
      files[name] = name;
      return name;
    };
    const classNames = run.summary.run?.classes ?? options.dataset?.classes ?? [];
    const charts = {
      histogram: write('histogram-m.svg', histogramChart(run.scores)),
      classes: write('per-class.svg', classBarsChart(run.scores, classNames)),
      typicality: run.typicality ? write('typicality.svg', typicalityChart(run.typicality)) : undefined,
      layers: run.layers ? write('layers.svg', layerChart(run.layers)) : undefined,
      removal: [] as string[],
    };
    for (const [name, svg] of Object.entries(run.removal ? removalCharts(run.removal) : {})) charts.removal.push(write(name, svg));
    const images: GalleryImages | { missing: string } = options.dataset
      ? { images: options.dataset.images, extraImages: options.extraDataset?.images, extraIsSeparate: Boolean(run.manifest?.extraDataset) }
      : await resolveImages(run);
    const candidates = run.scores.filter((s) => s.group === 'candidates');
    const population: ScoreRow[] = candidates.length > 0 ? candidates : run.scores;
    const { most, least } = extremes(population, Math.min(galleryCount, Math.ceil(population.length / 2)));
    let gallery: Parameters<typeof reportHtml>[0]['gallery'];
    if ('missing' in images) gallery = images;
    else if (!galleryAvailable([...most, ...least], images)) gallery = { missing: 'the images do not cover the scored indices (wrong dataset?)' };
    else {
      const mostItems = await writeGalleryImages(most, images, tmpAssets, 'most');
      const leastItems = await writeGalleryImages(least, images, tmpAssets, 'least');
      for (const item of [...mostItems, ...leastItems]) files[item.file] = item.file;
      gallery = { most: mostItems, least: leastItems, population: candidates.length > 0 ? 'candidates S_C' : 'all scored points' };
    }
    const html = reportHtml({ title: options.title ?? 'SSLMem report', runDir: options.runDirLabel ?? dir, summary: run.summary, assets: REPORT_ASSETS, charts, gallery, typicality: run.typicality, removal: run.removal, layers: run.layers, classNames });
    const finalAssets = path.join(dir, REPORT_ASSETS);
    fs.rmSync(finalAssets, { recursive: true, force: true });
    fs.renameSync(tmpAssets, finalAssets);
    const htmlPath = path.join(dir, REPORT_FILE);
    writeFileAtomic(htmlPath, html);
    return { html: htmlPath, assets: finalAssets, files: Object.keys(files).sort(), galleryMissing: 'missing' in gallery ? gallery.missing : undefined, typicalityNote };
  } finally {
    fs.rmSync(tmpAssets, { recursive: true, force: true });
  }
}
