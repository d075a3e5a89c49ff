import type { Command } from 'commander';
import { writeReport } from '../report';
import { resolveRunImages } from '../report/images';

/** `sslmem report <run-dir>`: write report.html (and report_files/) for a scored run directory. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<run-dir>', 'run directory with summary.json and scores.csv (plus manifest.json, typicality.json, removal.json, images.npy when present)')
    .description('write a self-contained HTML report (histograms, gallery, per-class bars, typicality, removal curves, statistics) into the run directory')
    .option('--gallery <n>', 'images in each of the most/least memorized galleries', '24')
    .option('--title <text>', 'page title', 'SSLMem report')
    .option('--json', 'print the written paths as JSON')
    .action(async (runDir: string, options: { gallery: string; title: string; json?: boolean }) => {
      const written = await writeReport(runDir, { galleryCount: Number(options.gallery), title: options.title, resolveImages: resolveRunImages });
      if (options.json) {
        process.stdout.write(JSON.stringify(written, null, 2) + '\n');
        return;
      }
      process.stdout.write(`report: ${written.html} (${written.files.length} images in ${written.assets})\n`);
      if (written.galleryMissing) process.stdout.write(`gallery left out: ${written.galleryMissing}\n`);
    });
}
