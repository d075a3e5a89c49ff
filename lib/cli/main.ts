#!/usr/bin/env node
/**
 * The `sslmem` command line. Each command lives in its own file and registers itself here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { registerInfo } from './info';
import { registerRun } from './run';
import { registerScore } from './score';
import { registerDemo } from './demo';
import { registerMerge } from './merge';
import { registerTrain } from './train';
import { registerData } from './data';
import { registerDistributed } from './distributed';
import { registerReport } from './report';
import { registerEval } from './eval';
import { registerRemoval } from './removal';
import { registerUnitMem } from './unitmem';
import { registerBuildTorch } from './build-torch';

export function buildProgram(): Command {
  const program = new Command();
  // Read, not imported: an import would make tsc copy package.json into dist/ (rootDir is the repo).
  const packageJson = path.join(__dirname, '..', '..', '..', 'package.json');
  const { version } = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version: string };
  program
    .name('sslmem')
    .description('Measure how much a self-supervised image encoder memorizes each training point (SSLMem).')
    .version(version)
    .showHelpAfterError();
  registerInfo(program);
  registerRun(program);
  registerScore(program);
  registerDemo(program);
  registerMerge(program);
  registerTrain(program);
  registerData(program);
  registerDistributed(program);
  registerReport(program);
  registerEval(program);
  registerRemoval(program);
  registerUnitMem(program);
  registerBuildTorch(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: Error & { code?: string }) => {
      process.stderr.write(`sslmem: ${error.message}${error.code ? ` [${error.code}]` : ''}\n`);
      process.exitCode = error.name === 'AbortError' ? 130 : 1;
    });
}
