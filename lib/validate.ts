/**
 * One set of validators for every public function (lovell/sharp's `is`): each throws a TypeError
 * or RangeError whose message names the argument, the expectation and what came.
 */
import { describe, invalidType, outOfRange } from './errors';

export type TypedArray =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array
  | Int32Array | Uint32Array | Float32Array | Float64Array;

export type TypedArrayConstructor<T extends TypedArray> = { new (length: number): T; readonly name: string };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

export function assertObject(name: string, value: unknown): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) throw invalidType(name, 'an object', value);
}

/** An options argument: undefined (all defaults) or an object; null is a TypeError naming it. */
export function assertOptions(name: string, value: unknown): void {
  if (value !== undefined && !isPlainObject(value)) throw invalidType(name, 'an options object (or nothing)', value);
}

/** An array or typed array of numbers (anything with an integer length, elements read by index). */
export function assertArrayLike(name: string, value: unknown): asserts value is ArrayLike<number> {
  const length = (value as { length?: unknown } | null)?.length;
  if (value === null || typeof value !== 'object' || typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw invalidType(name, 'an array of numbers', value);
  }
}

export function assertNumber(name: string, value: unknown, range: { min?: number; max?: number; finite?: boolean } = {}): asserts value is number {
  if (typeof value !== 'number') throw invalidType(name, 'a number', value);
  if (Number.isNaN(value)) throw outOfRange(name, 'a number', 'NaN', true);
  if (range.finite !== false && !Number.isFinite(value)) throw outOfRange(name, 'a finite number', value);
  if (range.min !== undefined && value < range.min) throw outOfRange(name, expectation('a number', range), value);
  if (range.max !== undefined && value > range.max) throw outOfRange(name, expectation('a number', range), value);
}

export function assertInteger(name: string, value: unknown, range: { min?: number; max?: number } = {}): asserts value is number {
  if (typeof value !== 'number') throw invalidType(name, expectation('an integer', range), value);
  if (!Number.isInteger(value)) throw outOfRange(name, expectation('an integer', range), value);
  if (range.min !== undefined && value < range.min) throw outOfRange(name, expectation('an integer', range), value);
  if (range.max !== undefined && value > range.max) throw outOfRange(name, expectation('an integer', range), value);
}

export function assertProbability(name: string, value: unknown): asserts value is number {
  assertNumber(name, value, { min: 0, max: 1 });
}

export function assertBoolean(name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalidType(name, 'a boolean', value);
}

export function assertString(name: string, value: unknown, options: { nonEmpty?: boolean } = {}): asserts value is string {
  if (typeof value !== 'string') throw invalidType(name, 'a string', value);
  if (options.nonEmpty && value.length === 0) throw outOfRange(name, 'a non-empty string', value);
}

export function assertOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  const expected = `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
  if (typeof value !== 'string') throw invalidType(name, expected, value);
  if (!allowed.includes(value as T)) throw outOfRange(name, expected, value);
}

/** A [low, high] pair with low <= high inside optional bounds. */
export function assertRangePair(name: string, value: unknown, bounds: { min?: number; max?: number } = {}): asserts value is [number, number] {
  if (!Array.isArray(value) || value.length !== 2) throw invalidType(name, 'an array [low, high]', value);
  assertNumber(`${name}[0]`, value[0], bounds);
  assertNumber(`${name}[1]`, value[1], bounds);
  if (value[0] > value[1]) throw outOfRange(name, 'low <= high', `[${value[0]}, ${value[1]}]`, true);
}

export function assertTypedArray<T extends TypedArray>(name: string, value: unknown, type: TypedArrayConstructor<T>): asserts value is T {
  if (!(value instanceof (type as unknown as Function))) throw invalidType(name, `a ${type.name}`, value);
}

export function assertFunction(name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw invalidType(name, 'a function', value);
}

export function assertAbortSignal(name: string, value: unknown): asserts value is AbortSignal {
  if (!(value instanceof AbortSignal)) throw invalidType(name, 'an AbortSignal', value);
}

/** Threads option: 0 means all hardware threads. */
export function assertThreads(name: string, value: unknown): asserts value is number {
  assertInteger(name, value, { min: 0, max: 1024 });
}

function expectation(base: string, range: { min?: number; max?: number }): string {
  if (range.min !== undefined && range.max !== undefined) return `${base} in [${range.min}, ${range.max}]`;
  if (range.min !== undefined) return `${base} >= ${range.min}`;
  if (range.max !== undefined) return `${base} <= ${range.max}`;
  return base;
}

export { describe };
