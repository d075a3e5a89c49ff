/**
 * UnitMem's streaming state (native/kernels/unitmem.h): per unit the exact sum of its mean
 * activation over the points seen, the largest mean and the point that attains it. O(units)
 * memory whatever the number of points; states of disjoint shards merge exactly (bit for bit the
 * state of one pass), and serialize to JSON for shard part files.
 */
import { kernels } from '../binding';
import { withCancel } from '../abort';
import { ErrorCodes, outOfRange, SslmemError, withCallSite } from '../errors';
import { assertTensor, Float32Tensor } from '../tensor';
import { assertInteger, assertObject, assertThreads } from '../validate';
import type { UnitMemArrays } from './native';

/** Per unit (index k): UnitMem's quantities. */
export interface UnitMemTable {
  /** μ_max: the largest mean activation over the points. */
  muMax: Float64Array;
  /** μ_-max: the mean of the unit's mean activation over the other points. */
  muRest: Float64Array;
  /** (μ_max - μ_-max) / (μ_max + μ_-max); 0 for a constant unit (e.g. all zero) or a zero denominator. */
  selectivity: Float64Array;
  /** Id of the point attaining μ_max (the smallest id on ties); -1 for a constant unit, which selects none. */
  point: Float64Array;
  /** Points folded in. */
  points: number;
}

export const UNITMEM_STATE_FORMAT = 'sslmem-unitmem-state/1';

/** The JSON form of a state (arrays as base64 of their little-endian bytes, so values round-trip exactly). */
export interface UnitMemStateJson {
  format: typeof UNITMEM_STATE_FORMAT;
  units: number;
  digits: number;
  points: number;
  sums: string;
  top: string;
  topPoint: string;
}

const base64 = (array: ArrayBufferView) => Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');

function fromBase64<T>(text: unknown, make: (buffer: ArrayBuffer) => T, bytes: number, name: string): T {
  if (typeof text !== 'string') throw outOfRange(name, 'a base64 string', typeof text, true);
  const raw = Buffer.from(text, 'base64');
  if (raw.byteLength !== bytes) throw new SslmemError(ErrorCodes.corruptFile, `Expected ${bytes} bytes for ${name} but received ${raw.byteLength}`);
  const copy = new ArrayBuffer(bytes);
  new Uint8Array(copy).set(raw);
  return make(copy);
}

/** A UnitMem accumulator over `units` units (see the module comment). */
export class UnitMemAccumulator {
  readonly units: number;
  private readonly arrays: UnitMemArrays;
  private busy = false;

  private constructor(arrays: UnitMemArrays) {
    this.arrays = arrays;
    this.units = arrays.top.length;
  }

  /** An empty state. */
  static create(units: number): UnitMemAccumulator {
    assertInteger('units', units, { min: 1, max: 2 ** 26 });
    const digits = kernels().unitmemDigits;
    return new UnitMemAccumulator({ sums: new BigInt64Array(units * digits), top: new Float64Array(units).fill(-Infinity), topPoint: new Float64Array(units).fill(-1), points: new Float64Array(1) });
  }

  /** Points folded in so far. */
  get points(): number {
    return this.arrays.points[0];
  }

  /**
   * Folds in a batch: activations float32 [N, V, units] (V views per point, each view's units) and
   * the points' ids (integers; each point once over all batches and shards). Runs on a worker thread.
   */
  async add(activations: Float32Tensor, ids: ArrayLike<number>, options: { threads?: number; signal?: AbortSignal } = {}): Promise<void> {
    assertTensor('activations', activations, Float32Array, 3);
    if (activations.shape[2] !== this.units) throw outOfRange('activations.shape[2]', `${this.units} units (this accumulator's)`, activations.shape[2]);
    if (ids.length !== activations.shape[0]) throw outOfRange('ids.length', `${activations.shape[0]} (one per point)`, ids.length);
    const idArray = Float64Array.from(ids);
    idArray.forEach((id, i) => assertInteger(`ids[${i}]`, id, { min: 0, max: Number.MAX_SAFE_INTEGER }));
    const threads = options.threads ?? 0;
    assertThreads('options.threads', threads);
    if (this.busy) throw new SslmemError(ErrorCodes.mismatch, 'Expected one add() at a time on a UnitMem accumulator but another is running (await it first)');
    this.busy = true;
    try {
      await withCallSite(withCancel(options.signal, (cancel) => kernels().unitmemAccumulate(this.arrays, activations, idArray, { threads, cancel })));
    } finally {
      this.busy = false;
    }
  }

  /** Folds in another state of the same units over disjoint points (a shard): exact. */
  merge(other: UnitMemAccumulator): void {
    if (!(other instanceof UnitMemAccumulator)) throw outOfRange('other', 'a UnitMemAccumulator', typeof other, true);
    if (other.units !== this.units) throw new SslmemError(ErrorCodes.mismatch, `Expected states of ${this.units} units but received one of ${other.units}`);
    kernels().unitmemMerge(this.arrays, other.arrays);
  }

  /** Per-unit μ_max, μ_-max, selectivity and selected point (needs at least 2 points). */
  finish(): UnitMemTable {
    const table = kernels().unitmemFinish(this.arrays);
    return { ...table, points: this.points };
  }

  toJSON(): UnitMemStateJson {
    return { format: UNITMEM_STATE_FORMAT, units: this.units, digits: kernels().unitmemDigits, points: this.points, sums: base64(this.arrays.sums), top: base64(this.arrays.top), topPoint: base64(this.arrays.topPoint) };
  }

  /** A state from {@link toJSON}'s form (ERR_SSLMEM_CORRUPT_FILE when it does not fit). */
  static fromJSON(value: unknown, name = 'state'): UnitMemAccumulator {
    assertObject(name, value);
    if (value.format !== UNITMEM_STATE_FORMAT) throw new SslmemError(ErrorCodes.corruptFile, `Expected ${JSON.stringify(UNITMEM_STATE_FORMAT)} for ${name}.format but received ${JSON.stringify(value.format)}`);
    const digits = kernels().unitmemDigits;
    if (value.digits !== digits) throw new SslmemError(ErrorCodes.corruptFile, `Expected ${digits} digits per unit for ${name}.digits but received ${JSON.stringify(value.digits)}`);
    assertInteger(`${name}.units`, value.units, { min: 1, max: 2 ** 26 });
    assertInteger(`${name}.points`, value.points, { min: 0, max: Number.MAX_SAFE_INTEGER });
    const units = value.units as number;
    return new UnitMemAccumulator({
      sums: fromBase64(value.sums, (b) => new BigInt64Array(b), units * digits * 8, `${name}.sums`),
      top: fromBase64(value.top, (b) => new Float64Array(b), units * 8, `${name}.top`),
      topPoint: fromBase64(value.topPoint, (b) => new Float64Array(b), units * 8, `${name}.topPoint`),
      points: Float64Array.of(value.points as number),
    });
  }
}
