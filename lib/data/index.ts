/**
 * Data loaders: every one returns an {@link ImageDataset} of uint8 NHWC images and Int32 labels, reads
 * files asynchronously (gunzip on the thread pool), and reports a bad file as an SslmemError with code
 * ERR_SSLMEM_CORRUPT_FILE (or ERR_SSLMEM_FILE_NOT_FOUND / ERR_SSLMEM_MISMATCH) naming the file, what
 * was expected and what was found.
 *
 * - {@link loadIdx}: MNIST / Fashion-MNIST IDX pairs, raw or gzipped.
 * - {@link loadCifar}: CIFAR-10 / CIFAR-100 binary batches (CHW records converted to NHWC).
 * - {@link loadNpy} / {@link loadNpyDataset}: NumPy .npy files (format 1.0 to 3.0, C order).
 * - {@link loadImageFolder}: class-per-folder PNG/JPEG trees, decoded with sharp.
 * - {@link loadDataset}: named sets 'fashion-mnist', 'mnist', 'fashion-mnist-demo'.
 * - {@link openDataset}: a name or any path, format guessed.
 * - {@link datasetFingerprint}, {@link subset}, {@link gatherImages}, {@link assertImageDataset}.
 */
export type { ImageDataset } from './types';
export { loadIdx, readIdx, parseIdx } from './idx';
export type { LoadIdxOptions } from './idx';
export { loadCifar } from './cifar';
export type { CifarFormat, LoadCifarOptions } from './cifar';
export { loadNpy, loadNpyDataset, parseNpy, parseNpyHeader } from './npy';
export type { NpyTensor, NpyHeader, LoadNpyDatasetOptions } from './npy';
export { loadImageFolder } from './folder';
export type { LoadImageFolderOptions } from './folder';
export { loadDataset, datasetFiles, DATASET_NAMES, FASHION_MNIST_CLASSES, MNIST_CLASSES, FASHION_MNIST_DIR } from './sources';
export type { DatasetName, DatasetSplit, DatasetFiles, LoadDatasetOptions } from './sources';
export { openDataset, DATASET_FORMATS } from './open';
export type { DatasetFormat, OpenDatasetOptions } from './open';
export { datasetFingerprint } from './fingerprint';
export { gatherImages, subset } from './subset';
export { assertImageDataset } from './dataset';
export type { LabelledFilesOptions } from './pair';
