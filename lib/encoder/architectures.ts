/**
 * The backbones this build of the torch tier registered (native/torch/encoders/*.cc), as the
 * binding reports them. Nothing here lists an architecture by name, so adding one needs no TS change.
 */
import { torch } from '../binding';
import { assertOneOf } from '../validate';
import type { NativeArchitecture } from './native';

export type ArchitectureInfo = NativeArchitecture;

let cached: readonly ArchitectureInfo[] | undefined;

/** Every registered architecture, sorted by name (needs the torch tier). */
export function listArchitectures(): readonly ArchitectureInfo[] {
  cached ??= Object.freeze(torch().architectures());
  return cached;
}

/** The architecture named `name`; TypeError (not a string) or RangeError (not registered) naming `arg` and listing the registered ones otherwise. */
export function findArchitecture(name: unknown, arg: string): ArchitectureInfo {
  const architectures = listArchitectures();
  assertOneOf(arg, name, architectures.map((a) => a.name));
  return architectures.find((a) => a.name === name)!;
}
