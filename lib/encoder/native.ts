/** Raw native functions of encoders: native/addon/torch/encoder_binding.cc and catalog_binding.cc. */
import type { Tensor } from '../tensor';

/** How a forward pass runs (native/torch/inference_graph.h): graph (default true), precision, libtorch threads of the call (0 = as set). */
export interface NativeInferenceOptions {
  graph?: boolean;
  precision?: 'fp32' | 'bf16';
  threads?: number;
}

/** A native encoder handle (native/addon/torch/encoder_binding.cc). */
export interface EncoderHandle {
  embedViews(views: Tensor<Float32Array>, options: { batchSize: number; group?: number; cancel?: Int32Array } & NativeInferenceOptions): Promise<Tensor<Float32Array>>;
  embedImages(
    images: Tensor<Uint8Array>,
    options: { batchSize: number; mean: Float32Array; std: Float32Array; cancel?: Int32Array } & NativeInferenceOptions,
  ): Promise<Tensor<Float32Array>>;
  embedViewsLayers(views: Tensor<Float32Array>, options: { layers: string[]; batchSize: number; channelMeans?: boolean; threads?: number; cancel?: Int32Array }): Promise<Array<Tensor<Float32Array>>>;
  /** The layers it can read out, input to output (native/torch/layer_readout.h). */
  layers(): string[];
  /** Whether embedViewsLayers can read `name` (TorchScript: also a dotted submodule path). */
  hasLayer(name: string): boolean;
  save(path: string): Promise<void>;
  info(): {
    architecture: string;
    inputShape: [number, number, number];
    width: number;
    settings: Record<string, string>;
    reprDim: number;
    description: string;
    parameters: number;
    /** How its inference passes run: "graph", "eager", or "eager: WHY" once the graph was given up (native/torch/inference_graph.h). */
    inference: string;
  };
  setDescription(json: string): void;
  dispose(): void;
}

/** A registered backbone (native/torch/encoders/*.cc). */
export interface NativeArchitecture {
  /** As users write it: 'resnet18'. */
  name: string;
  description: string;
  /** Smallest input height and width. */
  minSize: number;
  /** Representation size at width 1. */
  reprDim: number;
  /** The named layers whose outputs can be read out, input to output, at the default settings (a ViT's follow its depth); the last is the representation. */
  layers: string[];
  /** Its own settings: default, and the choices when it is one of a few words (none: a positive integer). */
  settings: Array<{ name: string; default: string; choices: string[]; doc: string }>;
}

export interface EncoderNative {
  createEncoder(options: { architecture: string; inputShape: number[]; width: number; seed: number; settings: Record<string, string>; description: string }): EncoderHandle;
  loadEncoder(path: string): Promise<EncoderHandle>;
  loadTorchScript(path: string, inputShape: number[], description: string): Promise<EncoderHandle>;
  knnAccuracy(
    trainFeatures: Tensor<Float32Array>,
    trainLabels: Int32Array,
    testFeatures: Tensor<Float32Array>,
    testLabels: Int32Array,
    options: { k: number; temperature: number; classes: number },
  ): Promise<number>;
  architectures(): NativeArchitecture[];
}
