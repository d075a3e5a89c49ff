/**
 * Tensors cross the JS/native boundary as `{data, shape}`: a typed array (zero-copy, byteOffset
 * honoured) and its logical row-major shape. They convert to and from the `ndarray` package.
 */
import ndarray from 'ndarray';
import { invalidType, outOfRange } from './errors';
import { assertInteger, isPlainObject, TypedArray, TypedArrayConstructor } from './validate';

export interface Tensor<T extends TypedArray = TypedArray> {
  data: T;
  shape: number[];
}

export type Uint8Tensor = Tensor<Uint8Array>;
export type Float32Tensor = Tensor<Float32Array>;

/** Product of the dimensions (1 for a scalar shape []). */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Checks that `value` is `{data, shape}` with `data` of the given typed-array type, `rank`
 * dimensions (if given) and as many elements as the shape says.
 */
export function assertTensor<T extends TypedArray>(
  name: string,
  value: unknown,
  type: TypedArrayConstructor<T>,
  rank?: number,
): asserts value is Tensor<T> {
  if (!isPlainObject(value)) throw invalidType(name, `a tensor {data: ${type.name}, shape: number[]}`, value);
  const { data, shape } = value as { data: unknown; shape: unknown };
  if (!(data instanceof (type as unknown as Function))) throw invalidType(`${name}.data`, `a ${type.name}`, data);
  if (!Array.isArray(shape)) throw invalidType(`${name}.shape`, 'an array of integers', shape);
  if (rank !== undefined && shape.length !== rank) {
    throw outOfRange(`${name}.shape`, `rank ${rank}`, `rank ${shape.length} ([${shape.join(', ')}])`, true);
  }
  shape.forEach((d, i) => assertInteger(`${name}.shape[${i}]`, d, { min: 0 }));
  const expected = numel(shape);
  const length = (data as T).length;
  if (expected !== length) {
    throw outOfRange(`${name}.data`, `${expected} elements for shape [${shape.join(', ')}]`, `${length}`, true);
  }
}

/** Makes a tensor, checking that the data length matches the shape. */
export function tensor<T extends TypedArray>(data: T, shape: number[]): Tensor<T> {
  const t = { data, shape: [...shape] };
  assertTensor('tensor', t, data.constructor as TypedArrayConstructor<T>);
  return t;
}

/** A zero-copy ndarray view of a tensor. */
export function toNdarray<T extends TypedArray>(t: Tensor<T>): ndarray.NdArray<T> {
  return ndarray(t.data, [...t.shape]);
}

/**
 * A tensor from an ndarray. Zero-copy when the ndarray is row-major contiguous with offset 0;
 * otherwise its elements are copied into a new contiguous array of the same type.
 */
export function fromNdarray<T extends TypedArray>(array: ndarray.NdArray<T>): Tensor<T> {
  const shape = [...array.shape];
  let contiguous = array.offset === 0 && (array.data as T).length === numel(shape);
  let expectedStride = 1;
  for (let i = shape.length - 1; i >= 0 && contiguous; i--) {
    if (shape[i] !== 1 && array.stride[i] !== expectedStride) contiguous = false;
    expectedStride *= shape[i];
  }
  if (contiguous) return { data: array.data as T, shape };
  const Ctor = (array.data as T).constructor as TypedArrayConstructor<T>;
  const out = new Ctor(numel(shape));
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < out.length; flat++) {
    out[flat] = array.get(...index) as number;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return { data: out, shape };
}
