#!/usr/bin/env node
/**
 * Regenerates sslmem's committed Fashion-MNIST subsets from Debian's dataset-fashion-mnist files
 * (/usr/share/datasets/fashion-mnist, or the folder given as the first argument):
 *   test/fixtures/fashion-mnist/train-1000-{images-idx3,labels-idx1}-ubyte.gz  first 1,000 train
 *   data/fashion-mnist-demo/train-{images-idx3,labels-idx1}-ubyte.gz           first 4,000 train
 *   data/fashion-mnist-demo/test-{images-idx3,labels-idx1}-ubyte.gz            first 1,000 test
 * Each is a valid IDX file (count rewritten in the header) gzipped at level 9, with the MIT LICENSE.
 * Usage: node scripts/make-fixtures.js [SOURCE_DIR]
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const root = path.resolve(__dirname, '..');
const source = process.argv[2] || '/usr/share/datasets/fashion-mnist';

const LICENSE = `The MIT License (MIT)

Copyright © [2017] Zalando SE, https://tech.zalando.com

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the “Software”), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED “AS IS”, WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT
OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

Source: Fashion-MNIST, Han Xiao, Kashif Rasul, Roland Vollgraf, "Fashion-MNIST: a Novel Image
Dataset for Benchmarking Machine Learning Algorithms", arXiv:1708.07747, 2017,
https://github.com/zalandoresearch/fashion-mnist. The files here are the first records of the
original IDX files, re-encoded as IDX with the record count changed, made by
scripts/make-fixtures.js from Debian's dataset-fashion-mnist package.
`;

/** The first `count` records of an unsigned-byte IDX file, as a new IDX file. */
function firstRecords(file, count) {
  const bytes = zlib.gunzipSync(fs.readFileSync(file));
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08) throw new Error(`${file} is not an unsigned-byte IDX file`);
  const rank = bytes[3];
  const header = Buffer.from(bytes.subarray(0, 4 + 4 * rank));
  const n = header.readUInt32BE(4);
  if (count > n) throw new Error(`${file} has ${n} records, fewer than ${count}`);
  let recordSize = 1;
  for (let d = 1; d < rank; d++) recordSize *= header.readUInt32BE(4 + 4 * d);
  header.writeUInt32BE(count, 4);
  return Buffer.concat([header, bytes.subarray(header.length, header.length + count * recordSize)]);
}

function write(target, bytes) {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.tmp-${process.pid}`;
  fs.writeFileSync(temp, bytes);
  fs.renameSync(temp, target);
  console.log(`${path.relative(root, target)}: ${bytes.length} bytes`);
}

function subsetPair(split, count, targetDir, targetPrefix) {
  for (const kind of ['images-idx3', 'labels-idx1']) {
    const idx = firstRecords(path.join(source, `${split}-${kind}-ubyte.gz`), count);
    write(path.join(root, targetDir, `${targetPrefix}-${kind}-ubyte.gz`), zlib.gzipSync(idx, { level: 9 }));
  }
  write(path.join(root, targetDir, 'LICENSE'), Buffer.from(LICENSE));
}

subsetPair('train', 1000, 'test/fixtures/fashion-mnist', 'train-1000');
subsetPair('train', 4000, 'data/fashion-mnist-demo', 'train');
subsetPair('t10k', 1000, 'data/fashion-mnist-demo', 'test');
