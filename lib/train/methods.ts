/**
 * The SSL methods this build of the torch tier registered (native/torch/methods/*.cc), as the
 * binding reports them: names, citations, head sizes and every hyper-parameter with the paper's
 * default and valid range. Nothing here lists a method by name, so adding one needs no TS change.
 */
import { torch } from '../binding';
import { invalidType, outOfRange } from '../errors';
import { assertOneOf } from '../validate';
import type { NativeMethod, NativeOption } from './native';

export type MethodInfo = NativeMethod;
export type MethodOptionInfo = NativeOption;

let cached: readonly MethodInfo[] | undefined;

/** Every registered SSL method, sorted by name (needs the torch tier). */
export function listMethods(): readonly MethodInfo[] {
  cached ??= Object.freeze(torch().methods());
  return cached;
}

/** The method named `name`; TypeError (not a string) or RangeError (not registered) naming `arg` and listing the registered ones otherwise. */
export function findMethod(name: unknown, arg: string): MethodInfo {
  const methods = listMethods();
  assertOneOf(arg, name, methods.map((m) => m.name));
  return methods.find((m) => m.name === name)!;
}

/** Whether `value` lies in the option's range. */
function inRange(option: MethodOptionInfo, value: number): boolean {
  return (option.minExclusive ? value > option.min : value >= option.min) && value <= option.max;
}

/** "a number in [0, 1]", "a number > 0" for an option's range (max 1e300 stands for no bound). */
export function describeRange(option: MethodOptionInfo): string {
  if (option.max >= 1e300) return `a number ${option.minExclusive ? '>' : '>='} ${option.min}`;
  return `a number in ${option.minExclusive ? '(' : '['}${option.min}, ${option.max}]`;
}

/**
 * Checks a method's scalar hyper-parameters: each key must be one of the method's options
 * (RangeError listing them: an option another method reads would otherwise be silently ignored)
 * and each value a finite number in its range.
 */
export function validateMethodScalars(method: MethodInfo, values: Record<string, unknown>, arg: string): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const option = method.options.find((o) => o.name === name);
    if (!option) {
      const known = method.options.map((o) => o.name).join(', ');
      throw outOfRange(`${arg}.${name}`, known ? `an option of ${method.name} (${known})` : `no option (${method.name} has none)`, name);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(`${arg}.${name}`, 'a finite number', value);
    if (!inRange(option, value)) throw outOfRange(`${arg}.${name}`, describeRange(option), value);
  }
}
