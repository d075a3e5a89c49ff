/**
 * UnitMem (Wang et al., "Localizing Memorization in SSL Vision Encoders", NeurIPS 2024): how
 * selectively each unit of a layer responds to single training points. See docs/unitmem.md.
 */
export * from './state';
export * from './run';
export * from './output';
