#!/usr/bin/env node
// Builds the torch tier (build-torch/Release/sslmem_torch.node) with cmake-js.
//
//   npm run build:torch                               Debian's libtorch-dev (find_package(Torch))
//   npm run build:torch -- --libtorch /opt/libtorch   a libtorch you downloaded (CUDA builds too)
//   LIBTORCH=/opt/libtorch npm run build:torch        the same through the environment
//   npm run build:torch -- --no-cuda                  skip native/cuda/*.cu even if nvcc exists
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const args = process.argv.slice(2);
let libtorch = process.env.LIBTORCH || '';
let cuda = true;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--libtorch') libtorch = args[++i] || '';
  else if (args[i].startsWith('--libtorch=')) libtorch = args[i].slice('--libtorch='.length);
  else if (args[i] === '--no-cuda') cuda = false;
  else {
    console.error(`build-torch: unknown option ${args[i]} (expected --libtorch DIR or --no-cuda)`);
    process.exit(2);
  }
}

const root = path.resolve(__dirname, '..');
const cmakeArgs = [];
if (libtorch) {
  const config = path.join(libtorch, 'share', 'cmake', 'Torch', 'TorchConfig.cmake');
  if (!fs.existsSync(config)) {
    console.error(`build-torch: expected a libtorch directory containing share/cmake/Torch/TorchConfig.cmake for --libtorch but received ${libtorch}`);
    process.exit(2);
  }
  cmakeArgs.push(`--CDCMAKE_PREFIX_PATH=${path.resolve(libtorch)}`);
  // Official libtorch builds put their .so files under lib/: record it as the run path.
  cmakeArgs.push(`--CDCMAKE_BUILD_RPATH=${path.resolve(libtorch, 'lib')}`);
}
if (!cuda) cmakeArgs.push('--CDSSLMEM_CUDA=OFF');

const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const jobs = String(Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length));
const result = spawnSync(process.execPath, [cmakeJs, 'compile', '-d', root, '-O', 'build-torch', '-p', jobs, ...cmakeArgs], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error('build-torch: the torch tier did not build. Install libtorch (Debian: apt-get install libtorch-dev) or pass --libtorch DIR.');
  process.exit(result.status || 1);
}
