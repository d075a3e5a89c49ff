/**
 * Encoders of the torch tier: the backbone whose output SSLMem aligns (the representation, before
 * any projection head). Built here (the registered architectures: native/torch/encoders/),
 * trained by {@link train}, saved/loaded as one file, or imported from PyTorch as TorchScript.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { torch } from '../binding';
import { withCancel } from '../abort';
import { ErrorCodes, invalidType, outOfRange, SslmemError, withCallSite } from '../errors';
import { assertTensor, Float32Tensor, Uint8Tensor } from '../tensor';
import { assertInteger, assertNumber, assertObject, assertString, isPlainObject } from '../validate';
import { Architecture, ArchitectureSettings, defaultNormalize, EncoderDescription, encoderFormat } from './description';
import { InferenceOptions, resolveInference } from './inference';
import { findArchitecture } from './architectures';
import type { EncoderHandle } from './native';

export * from './description';
export * from './inference';
export * from './architectures';

/** Options of {@link Encoder.create}. */
export interface CreateEncoderOptions {
  architecture: Architecture;
  /** [C, H, W] of the images the encoder takes. */
  inputShape: [number, number, number];
  /** Channel multiplier, default 1. */
  width?: number;
  /** Seed of the weight initialisation (libtorch's default init), default 0. */
  seed?: number;
  /** Normalization `embed` applies to clean images; default mean 0.5, std 0.5 per channel. */
  normalize?: { mean: number[]; std: number[] };
  /**
   * The architecture's own settings (a ViT's `patch`, `depth`, `position`, `representation`):
   * {@link listArchitectures} lists each with its default and choices. Unknown names and values
   * outside the choices are RangeErrors.
   */
  settings?: ArchitectureSettings;
}

/** Options of {@link Encoder.embedViews} and {@link Encoder.embed}. */
export interface EmbedOptions extends InferenceOptions {
  /** Images per forward pass, default 256 (with `group`: at most this many, in even pieces of a group). */
  batchSize?: number;
  signal?: AbortSignal;
}

/** Options of {@link Encoder.embedViews}. */
export interface EmbedViewsOptions extends EmbedOptions {
  /**
   * Rows per group (0, the default: none; else a divisor of the row count): no forward pass spans
   * two groups, each group is cut into its fewest even pieces of at most `batchSize` rows. Scoring
   * makes each point's views a group, so a point's representations do not depend on the points
   * embedded with it.
   */
  group?: number;
}

/** Options of {@link Encoder.embedViewsLayers}. */
export interface EmbedLayersOptions extends EmbedOptions {
  /** UnitMem's units: a convolutional output [M, C, H, W] becomes its per-channel spatial mean [M, C] (others are flattened, each value a unit). Default false. */
  channelMeans?: boolean;
}

/** What a layer name must be, for messages: the encoder's list, and for TorchScript the dotted paths. */
function describeLayers(encoder: Encoder): string {
  const paths = encoder.description.architecture === 'torchscript' ? '; or a dotted path to a deeper submodule that each forward on the way calls once, e.g. layer1.0' : '';
  return `a layer of this encoder (${encoder.layers.join(', ')}${paths})`;
}

/** Checks an [C, H, W] shape. */
export function assertInputShape(name: string, value: unknown): asserts value is [number, number, number] {
  if (!Array.isArray(value) || value.length !== 3) throw outOfRange(name, 'an array [C, H, W]', value);
  value.forEach((d, i) => assertInteger(`${name}[${i}]`, d, { min: 1, max: 65536 }));
}

function assertNormalize(name: string, value: unknown, channels: number): asserts value is { mean: number[]; std: number[] } {
  assertObject(name, value);
  for (const key of ['mean', 'std'] as const) {
    const list = value[key];
    if (!Array.isArray(list) || list.length !== channels) throw outOfRange(`${name}.${key}`, `an array of ${channels} numbers`, list);
    list.forEach((v, i) => assertNumber(`${name}.${key}[${i}]`, v, key === 'std' ? { min: Number.MIN_VALUE } : {}));
  }
}

/** Settings as the binding reads them (text); numbers are written in decimal. */
function settingsAsText(name: string, settings: ArchitectureSettings | undefined): Record<string, string> {
  if (settings === undefined) return {};
  assertObject(name, settings);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value === 'number' && Number.isInteger(value)) out[key] = String(value);
    else if (typeof value === 'string') out[key] = value;
    else throw invalidType(`${name}.${key}`, 'a string or an integer', value);
  }
  return out;
}

function assertBatchSize(options: EmbedOptions): number {
  const batchSize = options.batchSize ?? 256;
  assertInteger('options.batchSize', batchSize, { min: 1 });
  return batchSize;
}

/** An image encoder (the backbone). Dispose it when done to free its weights early. */
export class Encoder {
  /** @internal */
  readonly handle: EncoderHandle;
  private desc: EncoderDescription;

  /** @internal Use {@link Encoder.create}, {@link Encoder.load} or {@link Encoder.loadTorchScript}. */
  constructor(handle: EncoderHandle, description: EncoderDescription) {
    this.handle = handle;
    this.desc = description;
    handle.setDescription(JSON.stringify(description));
  }

  /** A freshly initialised encoder (libtorch's default initialisation seeded by `seed`). */
  static create(options: CreateEncoderOptions): Encoder {
    assertObject('options', options);
    findArchitecture(options.architecture, 'options.architecture');
    assertInputShape('options.inputShape', options.inputShape);
    const width = options.width ?? 1;
    assertNumber('options.width', width, { min: Number.MIN_VALUE, max: 16 });
    const seed = options.seed ?? 0;
    assertInteger('options.seed', seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
    const channels = options.inputShape[0];
    const normalize = options.normalize ?? defaultNormalize(channels);
    assertNormalize('options.normalize', normalize, channels);
    const settings = settingsAsText('options.settings', options.settings);
    const handle = torch().createEncoder({ architecture: options.architecture, inputShape: [...options.inputShape], width, seed, settings, description: '' });
    const info = handle.info();
    return new Encoder(handle, {
      format: encoderFormat,
      architecture: options.architecture,
      inputShape: [...options.inputShape],
      reprDim: info.reprDim,
      width,
      ...(Object.keys(info.settings).length > 0 ? { settings: info.settings } : {}),
      normalize: { mean: [...normalize.mean], std: [...normalize.std] },
      epoch: 0,
      lossHistory: [],
    });
  }

  /** Loads an encoder file written by {@link Encoder.save} (or a training checkpoint). */
  static async load(file: string): Promise<Encoder> {
    assertString('path', file, { nonEmpty: true });
    if (!fs.existsSync(file)) throw new SslmemError(ErrorCodes.fileNotFound, `Expected an existing encoder file for path but received ${file}`);
    const handle = await withCallSite(torch().loadEncoder(path.resolve(file)));
    const info = handle.info();
    let description: EncoderDescription;
    try {
      description = JSON.parse(info.description) as EncoderDescription;
      if (!isPlainObject(description) || description.format !== encoderFormat) throw new Error('format');
    } catch {
      handle.dispose();
      throw new SslmemError(ErrorCodes.corruptFile, `Expected an sslmem encoder description in ${file} but it is missing or not JSON`);
    }
    return new Encoder(handle, description);
  }

  /**
   * Imports a backbone exported from PyTorch:
   * ```python
   * backbone.eval()
   * torch.jit.trace(backbone, torch.zeros(1, C, H, W)).save('encoder.pt')   # or torch.jit.script
   * ```
   * Its forward must take float NCHW images normalized with `normalize` (default mean 0.5, std 0.5)
   * and return [B, D]. The file is checked by a forward pass on zeros [2, C, H, W]; anything else
   * gives ERR_SSLMEM_INCOMPATIBLE_MODEL (or ERR_SSLMEM_CORRUPT_FILE if it is not TorchScript).
   */
  static async loadTorchScript(file: string, options: { inputShape: [number, number, number]; normalize?: { mean: number[]; std: number[] } }): Promise<Encoder> {
    assertString('path', file, { nonEmpty: true });
    assertObject('options', options);
    assertInputShape('options.inputShape', options.inputShape);
    const normalize = options.normalize ?? defaultNormalize(options.inputShape[0]);
    assertNormalize('options.normalize', normalize, options.inputShape[0]);
    if (!fs.existsSync(file)) throw new SslmemError(ErrorCodes.fileNotFound, `Expected an existing TorchScript file for path but received ${file}`);
    const handle = await withCallSite(torch().loadTorchScript(path.resolve(file), [...options.inputShape], ''));
    const info = handle.info();
    return new Encoder(handle, {
      format: encoderFormat,
      architecture: 'torchscript',
      inputShape: [...options.inputShape],
      reprDim: info.reprDim,
      width: 1,
      normalize: { mean: [...normalize.mean], std: [...normalize.std] },
      epoch: 0,
      lossHistory: [],
      torchscript: { source: path.resolve(file) },
    });
  }

  /** What this encoder is and how it was trained (a copy). */
  get description(): EncoderDescription {
    return JSON.parse(JSON.stringify(this.desc)) as EncoderDescription;
  }

  /** @internal Replaces the description (training records method, config, epochs, losses). */
  setDescription(description: EncoderDescription): void {
    this.handle.setDescription(JSON.stringify(description));
    this.desc = description;
  }

  /**
   * How its inference forward passes run: 'graph' (the frozen inference graph), 'eager' (none ran
   * yet, or each asked for the plain forward), or 'eager: WHY' once the graph was given up for this
   * encoder (it disagreed with the plain forward, or libtorch could not build it).
   */
  get inference(): string {
    return this.handle.info().inference;
  }

  /** Length D of the representation. */
  get reprDim(): number {
    return this.desc.reprDim;
  }

  /**
   * The layers {@link embedViewsLayers} reads, input to output. A native encoder's come from its
   * architecture (a ViT: patch_embed, block1..block<depth>, norm); the last is the representation.
   * A TorchScript import's are the submodules its forward calls directly, once each, in call order
   * (`self.layer1(x)`: "layer1"), then "output", forward's result; deeper submodules are read by
   * dotted path (see {@link hasLayer}).
   */
  get layers(): string[] {
    return this.handle.layers();
  }

  /**
   * Whether {@link embedViewsLayers} can read `name`: one of {@link layers}, or for a TorchScript
   * import also a dotted path to a deeper submodule (`layer1.0`, `features.3`) that each forward on
   * the way calls once at its top level and that returns a tensor.
   */
  hasLayer(name: string): boolean {
    assertString('name', name);
    return this.handle.hasLayer(name);
  }

  /**
   * Outputs of the named layers (see {@link layers}) for views [M, C, H, W] that are already
   * normalized, each flattened to [M, D_layer], from one forward pass per batch (no layer after the
   * last one asked for is computed), in inference mode.
   */
  async embedViewsLayers(views: Float32Tensor, layers: readonly string[], options: EmbedLayersOptions = {}): Promise<Float32Tensor[]> {
    this.assertViews(views);
    if (!Array.isArray(layers) || layers.length === 0) throw outOfRange('layers', 'a non-empty array of layer names', layers);
    layers.forEach((layer, i) => {
      if (typeof layer !== 'string' || !this.hasLayer(layer)) throw outOfRange(`layers[${i}]`, describeLayers(this), JSON.stringify(layer), true);
    });
    const batchSize = assertBatchSize(options);
    const channelMeans = options.channelMeans ?? false;
    if (typeof channelMeans !== 'boolean') throw invalidType('options.channelMeans', 'a boolean', channelMeans);
    const { threads } = resolveInference(options);  // read-outs run the eager forward in fp32: only the threads apply
    return withCallSite(withCancel(options.signal, (cancel) => this.handle.embedViewsLayers(views, { layers: [...layers], batchSize, channelMeans, threads, cancel })));
  }

  private assertViews(views: Float32Tensor): void {
    assertTensor('views', views, Float32Array, 4);
    const [c, h, w] = this.desc.inputShape;
    if (views.shape[1] !== c || views.shape[2] !== h || views.shape[3] !== w) {
      throw outOfRange('views.shape', `[M, ${c}, ${h}, ${w}] (this encoder takes [C, H, W] = [${c}, ${h}, ${w}])`, `[${views.shape.join(', ')}]`, true);
    }
  }

  /** Writes weights and description to one file, atomically (temp file, then rename). */
  async save(file: string): Promise<void> {
    assertString('path', file, { nonEmpty: true });
    await withCallSite(this.handle.save(path.resolve(file)));
  }

  /**
   * Representations [M, D] of views [M, C, H, W] that are already normalized (e.g. from
   * `augment` with a normalize step), in inference mode (batch norm uses running statistics).
   */
  async embedViews(views: Float32Tensor, options: EmbedViewsOptions = {}): Promise<Float32Tensor> {
    this.assertViews(views);
    const batchSize = assertBatchSize(options);
    const inference = resolveInference(options);
    const group = options.group ?? 0;
    assertInteger('options.group', group, { min: 0 });
    if (group > 0 && views.shape[0] % group !== 0) throw outOfRange('options.group', `0 or a divisor of views.shape[0] (${views.shape[0]})`, group);
    return withCallSite(withCancel(options.signal, (cancel) => this.handle.embedViews(views, { batchSize, group, cancel, ...inference })));
  }

  /**
   * Representations [N, D] of clean images [N, H, W, C] (uint8): pixels / 255, then
   * `description.normalize`, then the backbone in inference mode.
   */
  async embed(images: Uint8Tensor, options: EmbedOptions = {}): Promise<Float32Tensor> {
    assertTensor('images', images, Uint8Array, 4);
    const [c, h, w] = this.desc.inputShape;
    if (images.shape[1] !== h || images.shape[2] !== w || images.shape[3] !== c) {
      throw outOfRange('images.shape', `[N, ${h}, ${w}, ${c}] (this encoder takes [C, H, W] = [${c}, ${h}, ${w}])`, `[${images.shape.join(', ')}]`, true);
    }
    const batchSize = assertBatchSize(options);
    const inference = resolveInference(options);
    const normalize = this.desc.normalize ?? defaultNormalize(c);
    return withCallSite(
      withCancel(options.signal, (cancel) =>
        this.handle.embedImages(images, { batchSize, mean: Float32Array.from(normalize.mean), std: Float32Array.from(normalize.std), cancel, ...inference }),
      ),
    );
  }

  /** Frees the native weights now (jobs already running keep their share until they finish). */
  dispose(): void {
    this.handle.dispose();
  }
}

/** Options of {@link knnAccuracy}. */
export interface KnnOptions {
  /** Neighbours, default 200 (Wu et al. 2018). */
  k?: number;
  /** Vote weight exp(similarity / temperature), default 0.1 (Wu et al. 2018). */
  temperature?: number;
  /** Number of classes, default max label + 1. */
  classes?: number;
}

/**
 * Weighted kNN accuracy (Wu et al. 2018, InstDisc, section 3.4) of features [M, D] against
 * labelled training features [N, D]: cosine similarity, top-k neighbours vote with weight
 * exp(s / temperature). Runs in the torch tier off the main thread.
 */
export async function knnAccuracy(
  train: { features: Float32Tensor; labels: Int32Array },
  test: { features: Float32Tensor; labels: Int32Array },
  options: KnnOptions = {},
): Promise<number> {
  assertTensor('train.features', train.features, Float32Array, 2);
  assertTensor('test.features', test.features, Float32Array, 2);
  const k = options.k ?? 200;
  assertInteger('options.k', k, { min: 1 });
  const temperature = options.temperature ?? 0.1;
  assertNumber('options.temperature', temperature, { min: Number.MIN_VALUE });
  let maxLabel = -1;
  for (const l of train.labels) maxLabel = Math.max(maxLabel, l);
  for (const l of test.labels) maxLabel = Math.max(maxLabel, l);
  const classes = options.classes ?? maxLabel + 1;
  assertInteger('options.classes', classes, { min: 1 });
  return withCallSite(torch().knnAccuracy(train.features, train.labels, test.features, test.labels, { k, temperature, classes }));
}
