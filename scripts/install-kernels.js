#!/usr/bin/env node
// `npm install` hook: builds the kernel tier (node-gyp rebuild) unless build/Release holds an addon
// newer than every source it is built from. npm runs this hook again whenever the folder is
// installed anew (for example the first `npx sslmem ...` in a fresh clone links the folder and
// installs it), and an up-to-date addon should not cost a rebuild each time.
//
//   SSLMEM_FORCE_BUILD=1 npm install    rebuild regardless
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const addon = path.join(root, 'build', 'Release', 'sslmem_kernels.node');

function newestSource() {
  let newest = fs.statSync(path.join(root, 'binding.gyp')).mtimeMs;
  for (const dir of ['native/kernels', 'native/addon']) {
    for (const file of fs.readdirSync(path.join(root, dir))) newest = Math.max(newest, fs.statSync(path.join(root, dir, file)).mtimeMs);
  }
  return newest;
}

const upToDate = !process.env.SSLMEM_FORCE_BUILD && fs.existsSync(addon) && fs.statSync(addon).mtimeMs >= newestSource();
if (upToDate) {
  console.log(`sslmem: kernel tier up to date (${path.relative(root, addon)}); SSLMEM_FORCE_BUILD=1 rebuilds it`);
  process.exit(0);
}
// npm puts its bundled node-gyp on PATH for lifecycle scripts (Node 20: npm's node-gyp, not a newer one).
const result = spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
