/**
 * Finds the pixels of a run directory's scored points for the gallery, in this order:
 * 1. `images.npy` (uint8 [N, H, W, C]) in the run directory, with `extra-images.npy` for an
 *    external S_E;
 * 2. the manifest's dataset when its name is a named dataset ("fashion-mnist/train",
 *    "mnist/test", ...), loaded with loadDataset and checked against the manifest's fingerprint.
 * Otherwise the gallery is left out with the reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetFingerprint, DATASET_NAMES, DatasetName, DatasetSplit, loadDataset, loadNpy } from '../data';
import { ErrorCodes, SslmemError } from '../errors';
import type { Uint8Tensor } from '../tensor';
import type { GalleryImages } from './gallery';
import type { RunDirectory } from './rundir';

/** A uint8 [N, H, W, C] .npy file (ERR_SSLMEM_CORRUPT_FILE for another dtype or shape). */
export async function readUint8Images(file: string): Promise<Uint8Tensor> {
  const t = await loadNpy(file);
  if (!(t.data instanceof Uint8Array) || t.shape.length !== 4) {
    throw new SslmemError(ErrorCodes.corruptFile, `Expected uint8 [N, H, W, C] images in ${file} but received ${t.data.constructor.name} of shape [${t.shape.join(', ')}]`);
  }
  return t as Uint8Tensor;
}

/** The named dataset a manifest refers to, loaded and fingerprint-checked; or why not. */
async function namedDataset(ref: { name: string; fingerprint?: string } | null | undefined): Promise<Uint8Tensor | string> {
  if (!ref) return 'the manifest names no dataset';
  const [name, split = 'train'] = ref.name.split('/');
  if (!(DATASET_NAMES as readonly string[]).includes(name) || !['train', 'test'].includes(split)) return `dataset "${ref.name}" is not a named dataset and no images.npy was found`;
  let ds;
  try {
    ds = await loadDataset(name as DatasetName, split as DatasetSplit);
  } catch (error) {
    return `dataset "${ref.name}" could not be loaded (${(error as Error).message})`;
  }
  if (ref.fingerprint && datasetFingerprint(ds) !== ref.fingerprint) return `dataset "${ref.name}" on this machine does not match the manifest's fingerprint`;
  return ds.images;
}

/** The gallery's image source for a run directory, or why there is none. */
export async function resolveRunImages(run: RunDirectory): Promise<GalleryImages | { missing: string }> {
  const extraIsSeparate = Boolean(run.manifest?.extraDataset);
  const main = path.join(run.dir, 'images.npy');
  if (fs.existsSync(main)) {
    const extra = path.join(run.dir, 'extra-images.npy');
    return { images: await readUint8Images(main), extraImages: fs.existsSync(extra) ? await readUint8Images(extra) : undefined, extraIsSeparate };
  }
  const images = await namedDataset(run.manifest?.dataset);
  if (typeof images === 'string') return { missing: images };
  const extra = extraIsSeparate ? await namedDataset(run.manifest?.extraDataset) : undefined;
  return { images, extraImages: typeof extra === 'string' ? undefined : extra, extraIsSeparate };
}
