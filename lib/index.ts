/**
 * sslmem: measure how much a self-supervised image encoder memorizes each training point
 * (SSLMem: Wang et al., "Memorization in Self-Supervised Learning Improves Downstream
 * Generalization", ICLR 2024).
 */
export * from './errors';
export * from './tensor';
export { systemInfo, torchInfo, setTorchThreads } from './system';
export type { SystemInfo } from './system';
export type { KernelCapabilities, TorchInfo } from './binding';
export { torchAvailable } from './binding';
export type { ImageDataset } from './data/types';
export * from './distributed';
