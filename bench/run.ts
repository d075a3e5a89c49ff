/**
 * `npm run bench`: runs every benchmark in dist/bench (each `*.js` file next to this one) in turn,
 * in its own process so one benchmark's memory and threads do not disturb the next.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.js') && f !== path.basename(__filename)).sort();
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const run = spawnSync(process.execPath, [path.join(__dirname, file), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
