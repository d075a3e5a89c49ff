import * as path from 'node:path';
import { Command } from 'commander';
import { mergeParts, readPart } from '../score';
import { outOfRange } from '../errors';
import { StagedDirectory } from '../io/staged';
import { isUnitMemPart, mergeUnitMemParts, readJsonFile, writeUnitMemOutputs } from '../unitmem';
import { flagParsers } from './parse';
import { printUnitMemSummary } from './unitmem';
import { applyConfig, finishScores } from './score-common';

/**
 * The merged output replaces --out whole (lib/io/staged.ts), so a part file inside --out would be
 * removed with the previous output: such a call is refused before anything is written.
 */
function assertPartsOutside(out: string, parts: readonly string[]): void {
  const dir = path.resolve(out);
  const inside = parts.find((part) => path.resolve(part).startsWith(dir + path.sep));
  if (inside !== undefined) throw outOfRange('--out', 'a directory that holds none of the parts (the merged output replaces it whole)', `${dir}, which holds ${inside}`, true);
}

/**
 * `sslmem merge`: joins the part files of a sharded `sslmem score` into the unsharded outputs. The
 * parts are read and checked first; the outputs are written into `.OUT.partial` and renamed onto
 * --out in one step, so a crash or an error leaves --out as it was (absent, or the previous merge).
 */
export function registerMerge(program: Command): void {
  const cmd = program
    .command('merge')
    .description('combine part-i-of-n.json files from "sslmem score --shard i/n" (or unitmem-part-i-of-n.json from "sslmem unitmem --shard i/n") into exactly the outputs of an unsharded run')
    .argument('<parts...>', 'every part file of one run (any order)')
    .option('--out <dir>', 'output directory (written whole: built in .NAME.partial beside it and renamed into place at the end)', 'sslmem-scores')
    .option('--fdr <q>', 'false discovery rate of the per-point tests (Benjamini-Hochberg within each group)', flagParsers.number('--fdr'), 0.05)
    .option('--top-k <n>', 'how many of the most memorized points the summary lists', flagParsers.integer('--top-k'), 20)
    .option('--config <file.json>', 'read options from a JSON file; flags given on the command line win')
    .option('--json', 'print the summary as JSON');
  cmd.action((parts: string[], raw: { out: string; fdr: number; topK: number; json?: boolean }) => {
    const flags = applyConfig(cmd, raw);
    assertPartsOutside(flags.out, parts);
    // UnitMem parts (sslmem unitmem --shard) merge their exact per-unit states; score parts their points.
    const unitmemParts = parts.map(readJsonFile).filter(isUnitMemPart);
    const record = { command: 'merge', argv: process.argv.slice(2) };
    if (unitmemParts.length > 0) {
      if (unitmemParts.length !== parts.length) throw outOfRange('parts', 'parts of one kind (all score parts or all UnitMem parts)', 'a mix', true);
      const merged = mergeUnitMemParts(unitmemParts);
      const staged = StagedDirectory.open(flags.out);
      const { files, summary } = writeUnitMemOutputs(staged.dir, merged.run, merged.states);
      const final = staged.commit(record);
      printUnitMemSummary(summary, files.map((file) => path.join(final, path.basename(file))), flags.json);
      return;
    }
    const merged = mergeParts(parts.map(readPart));
    const staged = StagedDirectory.open(flags.out);
    finishScores(staged.dir, merged.points, merged.run, flags, {}, {}, flags.out);
    staged.commit(record);
  });
}
