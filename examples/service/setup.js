#!/usr/bin/env node
'use strict';
/**
 * Writes two encoders for the service to load when you have none yet: f and g freshly
 * initialised with different seeds through sslmem's API (small-cnn on 1x28x28 by default). For
 * real scores, pass the encoders of an `sslmem run` (f trained with the points, g without) to
 * server.js with --f and --g instead.
 *
 *   node setup.js [--out encoders] [--architecture small-cnn] [--input-shape 1,28,28]
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { Encoder } = require('sslmem');

async function main() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: path.join(__dirname, 'encoders') },
      architecture: { type: 'string', default: 'small-cnn' },
      'input-shape': { type: 'string', default: '1,28,28' },
    },
  });
  const inputShape = values['input-shape'].split(',').map(Number);
  fs.mkdirSync(values.out, { recursive: true });
  for (const [name, seed] of [['f', 1], ['g', 2]]) {
    const encoder = Encoder.create({ architecture: values.architecture, inputShape, seed });
    const file = path.join(values.out, `${name}.sslmem`);
    await encoder.save(file);
    encoder.dispose();
    process.stdout.write(`wrote ${file} (${values.architecture}, input ${inputShape.join('x')}, seed ${seed})\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`setup: ${error.message}${error.code ? ` [${error.code}]` : ''}\n`);
  process.exitCode = 1;
});
