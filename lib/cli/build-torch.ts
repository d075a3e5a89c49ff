import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { addonPaths } from '../binding';

/**
 * The installed package's root (dist/lib/cli/ is three levels below it): in a consumer's project
 * that is node_modules/sslmem, which is where lib/binding.ts looks for build-torch/.
 */
export const packageRoot = path.resolve(__dirname, '..', '..', '..');

/** The one build script (`npm run build:torch` runs it too), so the command and the script cannot drift. */
export const buildTorchScript = path.join(packageRoot, 'scripts', 'build-torch.js');

/** Where the script puts the addon: cmake-js's `-O build-torch` under the package root. */
export const builtTorchAddon = path.join(packageRoot, 'build-torch', 'Release', 'sslmem_torch.node');

/** The script's arguments for the command's options. */
export function buildTorchArguments(options: { libtorch?: string; cuda: boolean }): string[] {
  const args: string[] = [];
  // Resolved here: the script runs with the package root as its working directory, not the caller's.
  if (options.libtorch !== undefined) args.push('--libtorch', path.resolve(options.libtorch));
  if (!options.cuda) args.push('--no-cuda');
  return args;
}

/**
 * `sslmem build-torch [--libtorch DIR] [--no-cuda]`: builds the torch tier inside the installed
 * package from wherever the user is, so a project that installed sslmem need not cd into
 * node_modules/sslmem to run `npm run build:torch` there.
 */
export function registerBuildTorch(program: Command): void {
  program
    .command('build-torch')
    .description('build the torch tier (training, encoders, scoring) into this installation of sslmem, against Debian\'s libtorch-dev or --libtorch DIR')
    .option('--libtorch <dir>', 'a libtorch you downloaded (the folder holding share/cmake/Torch), e.g. a CUDA build; default $LIBTORCH or the system\'s')
    .option('--no-cuda', 'skip sslmem\'s CUDA kernels even if nvcc is found')
    .action(async (options: { libtorch?: string; cuda: boolean }) => {
      process.stdout.write(`building the torch tier of sslmem in ${packageRoot}\n`);
      const status = await new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [buildTorchScript, ...buildTorchArguments(options)], { cwd: packageRoot, stdio: 'inherit' });
        child.on('error', reject);
        child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
      });
      if (status !== 0) {
        process.exitCode = status;
        return;
      }
      process.stdout.write(`built ${builtTorchAddon}\n`);
      // SSLMEM_TORCH_ADDON points the library elsewhere: the build is then not what it loads.
      if (path.resolve(addonPaths.torch) !== builtTorchAddon) {
        process.stdout.write(`note: SSLMEM_TORCH_ADDON is set, so sslmem loads ${addonPaths.torch} instead\n`);
      } else if (!fs.existsSync(builtTorchAddon)) {
        throw new Error(`the build reported success but ${builtTorchAddon} is missing`);
      }
    });
}
