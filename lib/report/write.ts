/**
 * `writeReport(runDir)`: reads the run directory (lib/report/rundir.ts) and writes
 * `<runDir>/report.html` plus the images it shows in `<runDir>/report_files/` (SVG charts, PNG
 * gallery). Both are written under temporary names and renamed into place, so an interrupted run
 * never leaves a half-written report. A UnitMem folder (`sslmem unitmem --out`) is shown as a
 * section of a run's report, or as a page of its own (lib/report/unitmem.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageDataset } from '../data/types';
import { invalidType } from '../errors';
import { Encoder } from '../encoder';
import { assertInteger, assertOptions, assertString } from '../validate';
import { classBarsChart, histogramChart, layerChart, removalCharts, selectivityChart, typicalityChart } from './charts';
import { extremes, galleryAvailable, GalleryImages, writeGalleryImages } from './gallery';
import { reportHtml, sectionsPage } from './html';
import { hasUnitMem, readUnitMemFolder, resolveUnitMemImages, UnitMemThumb, writeUnitMemThumbs } from './unitmem';
import { unitMemSection } from './unitmem-html';
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
  /**
   * A `sslmem unitmem --out` folder whose UnitMem section (selectivity per layer, the points most
   * units select with their images) the report shows. Default: the run directory itself when it
   * holds unitmem.json. A folder with unitmem.json and no summary.json gets a UnitMem page of its own.
   */
  unitmem?: string;
  /** The dataset UnitMem's point ids index (overrides images.npy in the folder and the dataset the UnitMem run recorded). */
  unitmemDataset?: ImageDataset;
}

export interface WrittenReport {
  /** Absolute path of report.html. */
  html: string;
  /** Absolute path of the assets folder. */
  assets: string;
  /** Asset file names. */
  files: string[];
  /** Why the gallery (of a UnitMem page: the selected points' images) is missing, when it is. */
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

/** The report's assets folder while it is built: files written there are renamed into place together with report.html. */
interface StagedAssets {
  dir: string;
  /** Writes a text asset (an SVG chart) and returns its name. */
  write(name: string, content: string): string;
  /** Records a file written into `dir` some other way (a PNG). */
  add(name: string): void;
}

/**
 * Builds the assets in a temporary folder, then moves it onto `<dir>/report_files` and writes
 * `<dir>/report.html` (atomically); an error on the way leaves the previous report as it was.
 */
async function stageReport(dir: string, build: (assets: StagedAssets) => Promise<string>): Promise<{ html: string; assets: string; files: string[] }> {
  const stamp = `${process.pid}-${Date.now()}`;
  const tmpAssets = path.join(dir, `.${REPORT_ASSETS}.tmp-${stamp}`);
  fs.mkdirSync(tmpAssets);
  try {
    const files = new Set<string>();
    const assets: StagedAssets = {
      dir: tmpAssets,
      write: (name, content) => {
        fs.writeFileSync(path.join(tmpAssets, name), content);
        files.add(name);
        return name;
      },
      add: (name) => void files.add(name),
    };
    const html = await build(assets);
    const finalAssets = path.join(dir, REPORT_ASSETS);
    fs.rmSync(finalAssets, { recursive: true, force: true });
    fs.renameSync(tmpAssets, finalAssets);
    const htmlPath = path.join(dir, REPORT_FILE);
    writeFileAtomic(htmlPath, html);
    return { html: htmlPath, assets: finalAssets, files: [...files].sort() };
  } finally {
    fs.rmSync(tmpAssets, { recursive: true, force: true });
  }
}

/**
 * The UnitMem section for the folder `unitmemDir`: writes its selectivity chart and the thumbnails
 * of the points its layers' units select most into the staged assets. Returns the section and,
 * when the thumbnails had to be left out, why.
 */
async function unitMemPart(unitmemDir: string, label: string, assets: StagedAssets, options: WriteReportOptions, count: number): Promise<{ html: string; missing?: string }> {
  const folder = readUnitMemFolder(unitmemDir);
  const chart = assets.write('unitmem-selectivity.svg', selectivityChart(folder.summary.layers.map((l) => l.layer), folder.selectivity));
  const source = await resolveUnitMemImages(folder, options.unitmemDataset);
  let thumbs: UnitMemThumb[][] | { missing: string };
  if ('missing' in source) thumbs = source;
  else {
    thumbs = await writeUnitMemThumbs(folder, source, assets.dir, count);
    for (const t of thumbs.flat()) if (t.file) assets.add(t.file);
  }
  const classNames = 'missing' in source ? [] : (source.classes ?? []);
  return { html: unitMemSection({ assets: REPORT_ASSETS, folder, label, chart, thumbs, classNames }), missing: 'missing' in thumbs ? thumbs.missing : undefined };
}

/**
 * Writes the HTML report of a run directory (see the module comment). A folder that holds only
 * UnitMem's files (`sslmem unitmem --out`) gets a UnitMem page; a run directory's report shows the
 * UnitMem section too when `options.unitmem` names such a folder or the run directory holds one.
 */
export async function writeReport(runDir: string, options: WriteReportOptions = {}): Promise<WrittenReport> {
  assertString('runDir', runDir, { nonEmpty: true });
  assertOptions('options', options);
  if (options.runDirLabel !== undefined) assertString('options.runDirLabel', options.runDirLabel);
  const galleryCount = options.galleryCount ?? 24;
  assertInteger('options.galleryCount', galleryCount, { min: 1, max: 1000 });
  if (options.dataset !== undefined && (typeof options.dataset !== 'object' || !options.dataset.images)) {
    throw invalidType('options.dataset', 'an ImageDataset', options.dataset);
  }
  if (options.unitmemDataset !== undefined && (typeof options.unitmemDataset !== 'object' || !options.unitmemDataset.images)) {
    throw invalidType('options.unitmemDataset', 'an ImageDataset', options.unitmemDataset);
  }
  if (options.unitmem !== undefined) assertString('options.unitmem', options.unitmem, { nonEmpty: true });
  const dir = path.resolve(runDir);
  const label = options.runDirLabel ?? dir;
  if (!fs.existsSync(path.join(dir, 'summary.json')) && hasUnitMem(dir) && options.unitmem === undefined) {
    readUnitMemFolder(dir); // fail early on a bad folder, before any work
    let missing: string | undefined;
    const written = await stageReport(dir, async (assets) => {
      const part = await unitMemPart(dir, label, assets, options, galleryCount);
      missing = part.missing;
      return sectionsPage(options.title ?? 'UnitMem report', [part.html]);
    });
    return { ...written, galleryMissing: missing };
  }
  readRunDirectory(dir); // fail early on a bad run directory, before any work
  const unitmemDir = options.unitmem !== undefined ? path.resolve(options.unitmem) : hasUnitMem(dir) ? dir : undefined;
  if (unitmemDir !== undefined) readUnitMemFolder(unitmemDir);
  const resolveImages = options.resolveImages ?? resolveRunImages;
  const typicalityNote = options.typicality === false ? undefined : await autoTypicality(dir);
  const run = readRunDirectory(dir);
  let gallery: Parameters<typeof reportHtml>[0]['gallery'] = { missing: 'not built' };
  const written = await stageReport(dir, async (assets) => {
    const classNames = run.summary.run?.classes ?? options.dataset?.classes ?? [];
    const charts = {
      histogram: assets.write('histogram-m.svg', histogramChart(run.scores)),
      classes: assets.write('per-class.svg', classBarsChart(run.scores, classNames)),
      typicality: run.typicality ? assets.write('typicality.svg', typicalityChart(run.typicality)) : undefined,
      layers: run.layers ? assets.write('layers.svg', layerChart(run.layers)) : undefined,
      removal: [] as string[],
    };
    for (const [name, svg] of Object.entries(run.removal ? removalCharts(run.removal) : {})) charts.removal.push(assets.write(name, svg));
    const images: GalleryImages | { missing: string } = options.dataset
      ? { images: options.dataset.images, extraImages: options.extraDataset?.images, extraIsSeparate: Boolean(run.manifest?.extraDataset) }
      : await resolveImages(run);
    const candidates = run.scores.filter((s) => s.group === 'candidates');
    const population: ScoreRow[] = candidates.length > 0 ? candidates : run.scores;
    const { most, least } = extremes(population, Math.min(galleryCount, Math.ceil(population.length / 2)));
    if ('missing' in images) gallery = images;
    else if (!galleryAvailable([...most, ...least], images)) gallery = { missing: 'the images do not cover the scored indices (wrong dataset?)' };
    else {
      const mostItems = await writeGalleryImages(most, images, assets.dir, 'most');
      const leastItems = await writeGalleryImages(least, images, assets.dir, 'least');
      for (const item of [...mostItems, ...leastItems]) assets.add(item.file);
      gallery = { most: mostItems, least: leastItems, population: candidates.length > 0 ? 'candidates S_C' : 'all scored points' };
    }
    const unitmem = unitmemDir === undefined ? undefined : (await unitMemPart(unitmemDir, unitmemDir === dir ? label : unitmemDir, assets, options, galleryCount)).html;
    return reportHtml({ title: options.title ?? 'SSLMem report', runDir: label, summary: run.summary, assets: REPORT_ASSETS, charts, gallery, typicality: run.typicality, removal: run.removal, layers: run.layers, unitmem, classNames });
  });
  return { ...written, galleryMissing: 'missing' in gallery ? gallery.missing : undefined, typicalityNote };
}
