/**
 * The command line's one set of number parsers (issue 12). Flags arrive as text; every value that
 * is not a number of the expected kind, or is out of its range, is a RangeError with code
 * ERR_SSLMEM_OUT_OF_RANGE that names the flag, whichever command it came through.
 */
import { outOfRange } from '../errors';

/** Bounds of a flag's value; both inclusive unless `positive` (then > 0). */
export interface Bounds {
  min?: number;
  max?: number;
  positive?: boolean;
}

function expectation(kind: string, { min, max, positive }: Bounds): string {
  if (positive) return `a positive ${kind}`;
  if (min !== undefined && max !== undefined) return `${kind === 'integer' ? 'an integer' : 'a number'} in [${min}, ${max}]`;
  if (min !== undefined) return `${kind === 'integer' ? 'an integer' : 'a number'} >= ${min}`;
  if (max !== undefined) return `${kind === 'integer' ? 'an integer' : 'a number'} <= ${max}`;
  return kind === 'integer' ? 'an integer' : 'a finite number';
}

function inBounds(value: number, { min, max, positive }: Bounds): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max) && (!positive || value > 0);
}

/** A finite number given for `flag` ("" and "abc" are not numbers: Number("") would be 0). */
export function parseNumber(flag: string, text: string, bounds: Bounds = {}): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !inBounds(value, bounds)) throw outOfRange(flag, expectation('number', bounds), text, true);
  return value;
}

/** An integer given for `flag`. */
export function parseInteger(flag: string, text: string, bounds: Bounds = {}): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || !inBounds(value, bounds)) throw outOfRange(flag, expectation('integer', bounds), text, true);
  return value;
}

/** A comma-separated list of integers >= min given for `flag` (e.g. "--sizes 0,300"). */
export function parseIntegers(flag: string, text: string, min: number): number[] {
  return text.split(',').map((item) => {
    const value = Number(item.trim());
    if (item.trim() === '' || !Number.isInteger(value) || value < min) throw outOfRange(flag, `comma-separated integers >= ${min}`, text, true);
    return value;
  });
}

/** The same parsers for a flag that may be absent. */
export function optionalNumber(flag: string, text: string | undefined, bounds: Bounds = {}): number | undefined {
  return text === undefined ? undefined : parseNumber(flag, text, bounds);
}
export function optionalInteger(flag: string, text: string | undefined, bounds: Bounds = {}): number | undefined {
  return text === undefined ? undefined : parseInteger(flag, text, bounds);
}

/** Argument parsers for commander's `.option(flags, description, parser, default)`. */
export const flagParsers = {
  integer: (flag: string, bounds: Bounds = {}) => (text: string): number => parseInteger(flag, text, bounds),
  number: (flag: string, bounds: Bounds = {}) => (text: string): number => parseNumber(flag, text, bounds),
};

/** NAME and VALUE of one `NAME=VALUE` occurrence of `flag`. */
function splitNamed(flag: string, text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw outOfRange(flag, 'NAME=VALUE (e.g. temperature=0.2)', text, true);
  return [text.slice(0, eq).trim(), text.slice(eq + 1).trim()];
}

/**
 * Commander parser of a repeatable `NAME=VALUE` flag of numbers (`--method-option
 * temperature=0.2`): each occurrence adds one entry. The names are checked later, against the
 * method the run uses (its registry entry lists them).
 */
export function namedNumbers(flag: string) {
  return (text: string, previous: Record<string, number> = {}): Record<string, number> => {
    const [name, value] = splitNamed(flag, text);
    return { ...previous, [name]: parseNumber(flag, value) };
  };
}

/** The same for settings given as words or integers (`--architecture-setting patch=4`). */
export function namedValues(flag: string) {
  return (text: string, previous: Record<string, string> = {}): Record<string, string> => {
    const [name, value] = splitNamed(flag, text);
    return { ...previous, [name]: value };
  };
}
