/**
 * The JSON description stored in every encoder file next to the weights
 * (format `sslmem-encoder/1`, see native/torch/checkpoint.h for the file layout).
 */

/**
 * The name of a backbone registered in the torch tier (native/torch/encoders/*.cc, described in
 * docs/methods.md): {@link listArchitectures} gives what the loaded build has.
 */
export type Architecture = string;

/** An architecture's own settings by name (numbers for integer settings, or their decimal text). */
export type ArchitectureSettings = Record<string, string | number>;

export const encoderFormat = 'sslmem-encoder/1';

/** What an encoder is and how it was made. */
export interface EncoderDescription {
  /** Always 'sslmem-encoder/1'. */
  format: string;
  /** A registered architecture, or 'torchscript' for an imported module. */
  architecture: string;
  /** Input the backbone takes: [C, H, W] float, normalized with `normalize`. */
  inputShape: [number, number, number];
  /** Length of the representation (backbone output, before any projection head). */
  reprDim: number;
  /** Channel multiplier (1 = the published network). */
  width: number;
  /** The architecture's own settings, every one as built (absent for architectures without any). */
  settings?: Record<string, string>;
  /** SSL method that trained it, if any. */
  method?: string;
  /** Training options (JSON-able), if trained. */
  config?: Record<string, unknown>;
  /** Augmentation pipeline used in training (a PipelineSpec or preset name). */
  pipeline?: unknown;
  /** Multi-crop groups used in training instead of a pipeline (DINO). */
  multiCrop?: unknown;
  /** Per-channel normalization applied to clean images by `embed` (pixels scaled to [0, 1] first). */
  normalize?: { mean: number[]; std: number[] };
  /** sha256 of the training data (datasetFingerprint), if known. */
  dataFingerprint?: string;
  /** Epochs trained. */
  epoch: number;
  /** Mean training loss per epoch. */
  lossHistory: number[];
  /** For imported TorchScript modules: the file it came from. */
  torchscript?: { source: string };
}

/** Default normalization: mean 0.5, std 0.5 per channel (maps [0, 1] pixels to [-1, 1]). */
export function defaultNormalize(channels: number): { mean: number[]; std: number[] } {
  return { mean: new Array<number>(channels).fill(0.5), std: new Array<number>(channels).fill(0.5) };
}
