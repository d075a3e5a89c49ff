/**
 * UnitMem in the report: reads a `sslmem unitmem` output folder (unitmem.json for the per-layer
 * statistics and the points the most units select, units.csv for every unit's selectivity), finds
 * the pixels of those points and writes them as thumbnails. The page section is
 * lib/report/unitmem-html.ts; the selectivity chart is in lib/report/charts.ts.
 *
 * A point's id is its index in the dataset UnitMem ran over. Its images come from, in this order:
 * the dataset the caller passes; `images.npy` (uint8 [N, H, W, C]) in the folder; the dataset the
 * run recorded (`run.provenance.dataset`: a named dataset or a path, with its split), checked
 * against the recorded fingerprint. Otherwise the thumbnails are left out with the reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetFingerprint, openDataset } from '../data';
import type { ImageDataset } from '../data/types';
import { ErrorCodes, SslmemError } from '../errors';
import { splitCsvLine } from '../score/scores-csv';
import type { Uint8Tensor } from '../tensor';
import { UNITMEM_FORMAT, UnitMemSummary } from '../unitmem/output';
import { writeImagePng } from './gallery';
import { readUint8Images } from './images';

export const UNITMEM_SUMMARY_FILE = 'unitmem.json';
export const UNITS_FILE = 'units.csv';

export interface UnitMemFolder {
  dir: string;
  summary: UnitMemSummary;
  /** Per layer (the summary's order), every unit's selectivity from units.csv. */
  selectivity: Float64Array[];
}

/** Whether `dir` holds UnitMem's summary (a `sslmem unitmem --out` folder). */
export function hasUnitMem(dir: string): boolean {
  return fs.existsSync(path.join(dir, UNITMEM_SUMMARY_FILE));
}

function corrupt(file: string, what: string): SslmemError {
  return new SslmemError(ErrorCodes.corruptFile, `Expected ${what} in ${file} but received something else`);
}

/** Reads unitmem.json and units.csv of a `sslmem unitmem` output folder (ERR_SSLMEM_FILE_NOT_FOUND, ERR_SSLMEM_CORRUPT_FILE). */
export function readUnitMemFolder(dir: string): UnitMemFolder {
  const summaryFile = path.join(dir, UNITMEM_SUMMARY_FILE);
  const unitsFile = path.join(dir, UNITS_FILE);
  for (const file of [summaryFile, unitsFile]) {
    if (!fs.existsSync(file)) throw new SslmemError(ErrorCodes.fileNotFound, `Expected ${path.basename(file)} in the UnitMem folder but received no file at ${file}`);
  }
  let summary: UnitMemSummary;
  try {
    summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as UnitMemSummary;
  } catch (cause) {
    throw new SslmemError(ErrorCodes.corruptFile, `Expected JSON in ${summaryFile} but received text that does not parse (${(cause as Error).message})`, { cause });
  }
  if (summary?.format !== UNITMEM_FORMAT || !Array.isArray(summary.layers) || !summary.layers.every((l) => Array.isArray(l?.topPoints))) {
    throw corrupt(summaryFile, `a UnitMem summary (format ${UNITMEM_FORMAT}) with per-layer topPoints`);
  }
  return { dir, summary, selectivity: readSelectivity(unitsFile, summary) };
}

/** Per layer, the selectivity column of units.csv (every unit, checked against the summary's counts). */
function readSelectivity(file: string, summary: UnitMemSummary): Float64Array[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
  const header = lines.length ? splitCsvLine(lines[0]) : [];
  const layerAt = header.indexOf('layer');
  const unitAt = header.indexOf('unit');
  const selectivityAt = header.indexOf('selectivity');
  if (layerAt < 0 || unitAt < 0 || selectivityAt < 0) throw corrupt(file, 'a header with layer, unit and selectivity columns');
  const index = new Map(summary.layers.map((l, i) => [l.layer, i]));
  const out = summary.layers.map((l) => new Float64Array(l.units).fill(Number.NaN));
  lines.slice(1).forEach((line, i) => {
    const cells = splitCsvLine(line);
    const l = index.get(cells[layerAt]);
    const unit = Number(cells[unitAt]);
    if (l === undefined || !Number.isInteger(unit) || unit < 0 || unit >= out[l].length) throw corrupt(file, `a unit of a layer in ${UNITMEM_SUMMARY_FILE} on line ${i + 2}`);
    out[l][unit] = Number(cells[selectivityAt]);
  });
  out.forEach((values, l) => {
    if (values.some((v) => Number.isNaN(v))) throw corrupt(file, `a selectivity for each of the ${values.length} units of layer ${summary.layers[l].layer}`);
  });
  return out;
}

/** The images UnitMem's point ids index, with their labels and class names when known. */
export interface UnitMemImages {
  images: Uint8Tensor;
  labels?: Int32Array;
  classes?: string[];
}

interface RecordedDataset {
  name?: string;
  split?: string;
  fingerprint?: string;
}

/** The folder's images (see the module comment), or why there are none. */
export async function resolveUnitMemImages(folder: UnitMemFolder, dataset?: ImageDataset): Promise<UnitMemImages | { missing: string }> {
  if (dataset) return dataset;
  const npy = path.join(folder.dir, 'images.npy');
  if (fs.existsSync(npy)) return { images: await readUint8Images(npy) };
  const recorded = (folder.summary.run.provenance?.dataset ?? undefined) as RecordedDataset | undefined;
  if (!recorded?.name) return { missing: 'the UnitMem run records no dataset and the folder has no images.npy' };
  const split = recorded.split === 'test' ? 'test' : 'train';
  let loaded: ImageDataset;
  try {
    loaded = await openDataset(recorded.name, { split });
  } catch (error) {
    return { missing: `dataset "${recorded.name}" (${split}) could not be loaded (${(error as Error).message})` };
  }
  if (recorded.fingerprint && datasetFingerprint(loaded) !== recorded.fingerprint) return { missing: `dataset "${recorded.name}" on this machine does not match the UnitMem run's fingerprint` };
  return loaded;
}

/** One thumbnail of a selected point. */
export interface UnitMemThumb {
  point: number;
  /** Units of the layer whose μ_max this point attains. */
  units: number;
  /** File name relative to the assets folder, absent when the image is not available. */
  file?: string;
  label?: number;
}

/**
 * Writes, per layer, the PNG of each of the first `count` points its units select most into `dir`
 * (`unitmem-<layer index>-<rank>-idx<point>.png`: layer names may hold any character). A point
 * outside the images gets no file.
 */
export async function writeUnitMemThumbs(folder: UnitMemFolder, source: UnitMemImages, dir: string, count: number): Promise<UnitMemThumb[][]> {
  const n = source.images.shape[0];
  const out: UnitMemThumb[][] = [];
  for (const [l, layer] of folder.summary.layers.entries()) {
    const thumbs: UnitMemThumb[] = [];
    for (const [rank, { point, units }] of layer.topPoints.slice(0, count).entries()) {
      const thumb: UnitMemThumb = { point, units, ...(source.labels && point < source.labels.length ? { label: source.labels[point] } : {}) };
      if (Number.isInteger(point) && point >= 0 && point < n) {
        thumb.file = `unitmem-${l}-${rank + 1}-idx${point}.png`;
        await writeImagePng(source.images, point, path.join(dir, thumb.file));
      }
      thumbs.push(thumb);
    }
    out.push(thumbs);
  }
  return out;
}
