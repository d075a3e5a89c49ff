import { Command } from 'commander';
import { mergeParts, readPart } from '../score';
import { outOfRange } from '../errors';
import { isUnitMemPart, mergeUnitMemParts, readJsonFile, writeUnitMemOutputs } from '../unitmem';
import { flagParsers } from './parse';
import { printUnitMemSummary } from './unitmem';
import { applyConfig, finishScores } from './score-common';

/** `sslmem merge`: joins the part files of a sharded `sslmem score` into the unsharded outputs. */
export function registerMerge(program: Command): void {
  const cmd = program
    .command('merge')
    .description('combine part-i-of-n.json files from "sslmem score --shard i/n" (or unitmem-part-i-of-n.json from "sslmem unitmem --shard i/n") into exactly the outputs of an unsharded run')
    .argument('<parts...>', 'every part file of one run (any order)')
    .option('--out <dir>', 'output directory', 'sslmem-scores')
    .option('--fdr <q>', 'false discovery rate of the per-point tests (Benjamini-Hochberg within each group)', flagParsers.number('--fdr'), 0.05)
    .option('--top-k <n>', 'how many of the most memorized points the summary lists', flagParsers.integer('--top-k'), 20)
    .option('--config <file.json>', 'read options from a JSON file; flags given on the command line win')
    .option('--json', 'print the summary as JSON');
  cmd.action((parts: string[], raw: { out: string; fdr: number; topK: number; json?: boolean }) => {
    const flags = applyConfig(cmd, raw);
    // UnitMem parts (sslmem unitmem --shard) merge their exact per-unit states; score parts their points.
    const unitmemParts = parts.map(readJsonFile).filter(isUnitMemPart);
    if (unitmemParts.length > 0) {
      if (unitmemParts.length !== parts.length) throw outOfRange('parts', 'parts of one kind (all score parts or all UnitMem parts)', 'a mix', true);
      const merged = mergeUnitMemParts(unitmemParts);
      const { files, summary } = writeUnitMemOutputs(flags.out, merged.run, merged.states);
      printUnitMemSummary(summary, files, flags.json);
      return;
    }
    const merged = mergeParts(parts.map(readPart));
    finishScores(flags.out, merged.points, merged.run, flags);
  });
}
