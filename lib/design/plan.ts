/**
 * Which encoders an experimental design trains, on which data and with which seeds, and how each
 * scored point relates to them. Every design is a list of replicates; a replicate is two encoders
 * (its "f" and "g") trained with the same seed, hence from the same initialization and with the same
 * augmentation streams and batch-order keys for every image they share (keys are dataset indices),
 * so the two differ only where their data differ (docs/scoring.md, "Designs").
 */
import { outOfRange } from '../errors';
import { makeFolds } from '../downstream/folds';
import { splitMix64 } from '../score/random';
import type { SplitManifest } from '../score/splits';
import { assertInteger, assertOneOf } from '../validate';

/**
 * Designs: 'single' (one pair, the paper's design), 'swapped' (the pair and its mirror, which
 * trains f on S_S + S_I and g on S_S + S_C), 'pairs' (K pairs with derived seeds), 'subsampled'
 * (J half-splits of the pool S_S + S_C + S_I, one encoder on each half).
 */
export const designNames = ['single', 'swapped', 'pairs', 'subsampled'] as const;
export type DesignName = (typeof designNames)[number];

export interface DesignOptions {
  name: DesignName;
  /** Pairs for 'pairs' (>= 2), half-splits for 'subsampled' (>= 1, 2 encoders each). Ignored otherwise. */
  replicates?: number;
  /**
   * Default true: the two encoders of a replicate share their seed (initialization, views, order).
   * False trains g with its own derived seed, as two independent trainings (the paper's practice):
   * for comparison only, it leaves the encoders' disagreement in every score.
   */
  paired?: boolean;
}

/** One replicate: two encoders trained on two index sets of the main dataset, with one seed when paired. */
export interface PlannedReplicate {
  /** Encoder names, e.g. 'f' and 'g', or 'f1' and 'g1', 'a0' and 'b0'. */
  f: string;
  g: string;
  /** Seed of f (and of the replicate's halves in the subsampled design). */
  seed: number;
  /** Seed of g: `seed` when paired. */
  seedG: number;
  /** Dataset indices f and g train on, ascending. */
  trainF: number[];
  trainG: number[];
}

export interface DesignPlan {
  design: DesignName;
  paired: boolean;
  replicates: PlannedReplicate[];
}

/** The seed of replicate r: the run seed itself for r = 0 (so replicate 0 is the single-pair run), else derived by SplitMix64. */
export function replicateSeed(seed: number, r: number): number {
  assertInteger('seed', seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
  assertInteger('r', r, { min: 0 });
  return r === 0 ? seed : Number(splitMix64(seed, 0x5eed0000 + r) % 0x7fffffffn);
}

/** How many replicates a design has (1 for single, 2 for swapped). */
export function replicateCount(design: DesignOptions): number {
  assertOneOf('design.name', design.name, designNames);
  if (design.name === 'single') return 1;
  if (design.name === 'swapped') return 2;
  const k = design.replicates ?? (design.name === 'pairs' ? 3 : 2);
  assertInteger('design.replicates', k, { min: design.name === 'pairs' ? 2 : 1, max: 1000 });
  return k;
}

/** The pool of the subsampled design: every training-split point of the manifest, ascending. */
export function poolOf(manifest: SplitManifest): number[] {
  return [...manifest.groups.shared, ...manifest.groups.candidates, ...manifest.groups.independent].sort((a, b) => a - b);
}

/** Plans the trainings of a design over a manifest's splits. */
export function planDesign(manifest: SplitManifest, design: DesignOptions, seed: number): DesignPlan {
  const k = replicateCount(design);
  const { shared, candidates, independent } = manifest.groups;
  const withC = [...shared, ...candidates].sort((a, b) => a - b);
  const withI = [...shared, ...independent].sort((a, b) => a - b);
  const replicates: PlannedReplicate[] = [];
  // An unpaired g draws its seed from a stream of its own (offset far from the replicate seeds).
  const seedG = (r: number) => (design.paired === false ? replicateSeed(seed, 0x10000 + r) : replicateSeed(seed, r));
  if (design.name === 'subsampled') {
    const pool = poolOf(manifest);
    if (pool.length < 4) throw outOfRange('manifest', 'a pool (S_S + S_C + S_I) of at least 4 points for the subsampled design', pool.length);
    for (let r = 0; r < k; r++) {
      const [a, b] = halves(pool, replicateSeed(seed, r));
      replicates.push({ f: `a${r}`, g: `b${r}`, seed: replicateSeed(seed, r), seedG: seedG(r), trainF: a, trainG: b });
    }
    return { design: design.name, paired: design.paired !== false, replicates };
  }
  for (let r = 0; r < k; r++) {
    const mirror = design.name === 'swapped' && r === 1;
    const suffix = design.name === 'single' || r === 0 ? '' : String(r);
    replicates.push({ f: `f${suffix}`, g: `g${suffix}`, seed: replicateSeed(seed, r), seedG: seedG(r), trainF: mirror ? withI : withC, trainG: mirror ? withC : withI });
  }
  return { design: design.name, paired: design.paired !== false, replicates };
}

/** A seeded split of the pool into two halves (sizes differ by at most one), each ascending. */
export function halves(pool: readonly number[], seed: number): [number[], number[]] {
  const folds = makeFolds(pool.length, 2, seed >>> 0);
  return [Array.from(folds[0], (i) => pool[i]), Array.from(folds[1], (i) => pool[i])];
}

/**
 * For the subsampled design's controls (S_E, which no encoder trains on): a seeded coin per point
 * and split that plays "in half A", so that S_E goes through exactly the same orientation as the
 * pool and its scores show the estimator's null distribution.
 */
export function pseudoHalf(seed: number, itemId: number): boolean {
  assertInteger('seed', seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
  assertInteger('itemId', itemId, { min: 0, max: Number.MAX_SAFE_INTEGER });
  return (splitMix64(seed, 0x7e570000 + itemId) & 1n) === 1n;
}
