/** Raw native functions of the augmentation capability (native/addon/augment_binding.cc). */
import type { NativePipelineSpec, ViewParams } from './spec';

/** Options crossing to the native side (already validated and defaulted by lib/augment). */
export interface NativeAugmentOptions {
  views: number;
  seed?: number;
  epoch?: number;
  /** One id per image, integers in [0, 2^53): keys the random streams. */
  itemIds?: Float64Array;
  /** 0 = all hardware threads. */
  threads?: number;
  /** Cancel flag written by an AbortSignal (lib/abort.ts), polled between groups of views. */
  cancel?: Int32Array;
}

/** One multi-crop group as the native side reads it (the group's size already applied to its views). */
export interface NativeCropGroup {
  pipeline: NativePipelineSpec;
  count: number;
}

export interface AugmentNative {
  /** Views [N, V, C, H', W'] into `out` (or a new array). Resolves with the array written. */
  augment(images: { data: Uint8Array; shape: number[] }, pipeline: NativePipelineSpec, options: NativeAugmentOptions, out?: Float32Array): Promise<Float32Array>;
  /** The parameters `augment` would draw, flat [N * V] in (image, view) order. */
  sampleAugmentParams(images: { data: Uint8Array; shape: number[] }, pipeline: NativePipelineSpec, options: NativeAugmentOptions): Promise<ViewParams[]>;
  /** Applies explicit parameters (flat [N * V]). */
  applyAugmentParams(images: { data: Uint8Array; shape: number[] }, params: ViewParams[], options: { views: number; threads?: number; cancel?: Int32Array }, out?: Float32Array): Promise<Float32Array>;
  /** Multi-crop: one new [N, count_g, C, H_g, W_g] array per group, views keyed by their global index. */
  augmentMultiCrop(images: { data: Uint8Array; shape: number[] }, groups: NativeCropGroup[], options: Omit<NativeAugmentOptions, 'views'>): Promise<Float32Array[]>;
  /** The parameters `augmentMultiCrop` would draw, flat in (group, image, view) order. */
  sampleMultiCropParams(images: { data: Uint8Array; shape: number[] }, groups: NativeCropGroup[], options: Omit<NativeAugmentOptions, 'views'>): Promise<ViewParams[]>;
  /** [H', W'] for an H x W input (synchronous; validates the spec). */
  augmentOutputSize(pipeline: NativePipelineSpec, height: number, width: number): [number, number];
  /** The SIMD variant the augmentation driver dispatches to ("avx2" or "serial"), chosen at load. */
  augmentBackend(): string;
  /** One raw Philox4x32-10 block (known-answer tests). */
  philox4x32(counter: Uint32Array, key: Uint32Array): Uint32Array;
}
