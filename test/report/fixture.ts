/** A synthetic run directory shaped like the score helper's output, with no training involved. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageDataset } from '../../lib/data/types';
import { summarizeRemoval } from '../../lib/downstream/removal-summary';
import { seededRandom } from '../eval/helpers';

export function syntheticDataset(n: number): ImageDataset {
  const data = new Uint8Array(n * 8 * 8);
  for (let i = 0; i < n; i++) for (let p = 0; p < 64; p++) data[i * 64 + p] = (i * 37 + p * 3) % 256;
  return { name: 'synthetic', images: { data, shape: [n, 8, 8, 1] }, labels: Int32Array.from({ length: n }, (_, i) => i % 3), classes: ['cat <a>', 'dog & co', 'bird'] };
}

/** Writes summary.json, scores.csv, manifest.json, typicality.json and removal.json into dir. */
export function writeSyntheticRun(dir: string, n = 40): { summary: Record<string, unknown> } {
  fs.mkdirSync(dir, { recursive: true });
  const random = seededRandom(5);
  const groups = ['candidates', 'independent', 'shared'];
  const rows = Array.from({ length: n }, (_, i) => {
    const group = groups[i % 3];
    const m = (group === 'candidates' ? 0.02 : group === 'independent' ? -0.02 : 0) + 0.01 * (random() - 0.5);
    return { index: i, group, label: i % 3, L_f: 0.5, L_g: 0.5 + m, m, se: 0.004, count: 32, m_range: m / 0.05, m_relative: m / (1 + m), p: random(), q: random(), significant: i % 5 === 0 ? 1 : 0 };
  });
  const header = 'index,group,label,L_f,L_g,m,se,count,m_range,m_relative,p,q,significant';
  fs.writeFileSync(path.join(dir, 'scores.csv'), [header, ...rows.map((r) => [r.index, r.group, r.label, r.L_f, r.L_g, r.m, r.se, r.count, r.m_range, r.m_relative, r.p, r.q, r.significant].join(','))].join('\n') + '\n');
  const describe = (g: string) => {
    const ms = rows.filter((r) => r.group === g).map((r) => r.m).sort((a, b) => a - b);
    const mean = ms.reduce((s, v) => s + v, 0) / ms.length;
    const std = Math.sqrt(ms.reduce((s, v) => s + (v - mean) ** 2, 0) / (ms.length - 1));
    return { count: ms.length, mean, se: std / Math.sqrt(ms.length), median: ms[Math.floor(ms.length / 2)], std, min: ms[0], max: ms[ms.length - 1], q05: ms[0], q25: ms[1], q75: ms[ms.length - 2], q95: ms[ms.length - 1], vsZero: { mean, se: 0.001, t: 3, df: ms.length - 1, p: 0.00001234 }, significantCount: 2, significantFraction: 2 / ms.length };
  };
  const summary = {
    format: 'sslmem-summary/1',
    run: { mode: 'anchor', metric: 'l2-normalized', pairing: 'anchor', views: 32, pairsPerPoint: 32, adaptive: null, pipeline: 'sslmem-scoring', seed: 7, classes: ['cat <a>', 'dog & co', 'bird'] },
    fdr: 0.05,
    points: n,
    range: { min: -0.03, max: 0.03 },
    groups: Object.fromEntries(groups.map((g) => [g, describe(g)])),
    comparisons: ['shared', 'independent'].map((b) => ({ a: 'candidates', b, welch: { meanA: 0.02, meanB: 0, difference: 0.0213, se: 0.002, t: 9.87654, df: 24.5, p: 3.2e-9 }, effect: { cohenD: 2.5, hedgesG: 2.4 } })),
    perClass: [],
    topK: [],
  };
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ format: 'sslmem-manifest/1', seed: 7, dataset: { name: 'synthetic', fingerprint: 'x', n }, extraDataset: null }));
  fs.writeFileSync(
    path.join(dir, 'typicality.json'),
    JSON.stringify({ format: 'sslmem-typicality/1', k: 10, classConditional: false, encoder: 'g', spearman: { rho: 0.3141, n, p: 0.04 }, bins: [0, 1, 2, 3].map((b) => ({ bin: b, from: b / 4, to: (b + 1) / 4, count: 10, meanAtypicality: (b + 0.5) / 4, meanM: 0.01 * b, se: 0.002 })), atypicality: [], indices: [], controls: [{ group: 'independent', spearman: { rho: 0.2718, n: 13, p: 0.37 } }] }),
  );
  const runs = (['top', 'random', 'bottom'] as const).flatMap((arm, a) =>
    [0, 10, 20].flatMap((size) => [1, 2].map((seed) => ({ arm, n: size, seed, accuracy: { 'same-domain': { 'linear-probe': 0.8 - a * 0.01 * size / 10 + seed * 0.001, knn: 0.75 }, 'cross-domain': { 'linear-probe': 0.6, knn: 0.55 + seed * 0.01 } } }))),
  );
  fs.writeFileSync(path.join(dir, 'removal.json'), JSON.stringify(summarizeRemoval(runs)));
  return { summary };
}
