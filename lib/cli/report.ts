import type { Command } from 'commander';
import { writeReport } from '../report';
import { readRunDirectory } from '../report/rundir';
import { candidatesWithControls } from '../report/write';
import * as path from 'node:path';
import { Encoder } from '../encoder';
import { parseInteger } from './parse';
import { writeRunTypicality } from '../report/typicality-run';

/** `sslmem report <run-dir>`: write report.html (and report_files/) for a scored run directory. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<run-dir>', 'run directory with summary.json and scores.csv (plus manifest.json, typicality.json, removal.json, layers.json, unitmem.json, images.npy when present), or a "sslmem unitmem --out" folder (unitmem.json, units.csv)')
    .description('write a self-contained HTML report (histograms, gallery, per-class bars, typicality, LayerMem, UnitMem, removal curves, statistics) into the directory')
    .option('--gallery <n>', 'images in each of the most/least memorized galleries', '24')
    .option('--title <text>', 'page title (default "SSLMem report", or "UnitMem report" for a UnitMem folder)')
    .option('--typicality-encoder <file>', 'first compute typicality.json with this independent encoder (e.g. encoder-g.sslmem): atypicality = mean cosine distance to the k nearest scored points; over the candidates with every other group as a control when the run has candidates')
    .option('--typicality-k <n>', 'neighbours for typicality', '10')
    .option('--class-conditional', 'typicality neighbours only within the same class')
    .option('--unitmem <dir>', 'also show this "sslmem unitmem --out" folder: selectivity per layer and the points most units select, with their images (default: the run directory\'s own unitmem.json, if any)')
    .option('--json', 'print the written paths as JSON')
    .action(async (runDir: string, options: { gallery: string; title?: string; json?: boolean; typicalityEncoder?: string; typicalityK: string; classConditional?: boolean; unitmem?: string }) => {
      if (options.typicalityEncoder) {
        const encoder = await Encoder.load(options.typicalityEncoder);
        try {
          const t = await writeRunTypicality(runDir, {
            encoder,
            encoderName: path.basename(options.typicalityEncoder),
            k: parseInteger('--typicality-k', options.typicalityK, { min: 1 }),
            classConditional: Boolean(options.classConditional),
            ...candidatesWithControls(readRunDirectory(runDir).scores),
          });
          if (!options.json) {
            const controls = (t.controls ?? []).map((c) => `${c.group} ${c.spearman.rho.toFixed(4)}`).join(', ');
            process.stdout.write(`typicality: Spearman rho(atypicality, m) = ${t.spearman.rho.toFixed(4)} over ${t.spearman.n} points${controls ? ` (controls: ${controls})` : ''}\n`);
          }
        } finally {
          encoder.dispose();
        }
      }
      const written = await writeReport(runDir, { galleryCount: parseInteger('--gallery', options.gallery, { min: 1 }), title: options.title, unitmem: options.unitmem });
      if (options.json) {
        process.stdout.write(JSON.stringify(written, null, 2) + '\n');
        return;
      }
      process.stdout.write(`report: ${written.html} (${written.files.length} images in ${written.assets})\n`);
      if (written.galleryMissing) process.stdout.write(`gallery left out: ${written.galleryMissing}\n`);
    });
}
