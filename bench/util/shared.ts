/**
 * What several benches share: their `--name value` arguments, writing their tables into
 * bench/RESULTS.md, uint8 .npy inputs and TorchScript encoders for the Python peers.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The value after `--NAME` on the command line, or `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Writes a TorchScript encoder with bench/make_torchscript_encoder.py (ARCH: small-cnn or resnet18). */
export function makeTorchScriptEncoder(file: string, seed: number, [c, h, w]: readonly number[], arch: string): void {
  const made = spawnSync('/usr/bin/python3', [path.join(__dirname, '..', '..', '..', 'bench', 'make_torchscript_encoder.py'), file, String(seed), String(c), String(h), String(w), arch], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`making the TorchScript encoder failed: ${made.stderr}`);
}

/** Replaces (or appends) the "## NAME" section of a markdown file. */
export function writeSection(file: string, name: string, body: string): void {
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  const heading = `## ${name}\n`;
  const start = old.indexOf(heading);
  let updated: string;
  if (start < 0) updated = old.replace(/\n*$/, '\n\n') + heading + '\n' + body;
  else {
    const next = old.indexOf('\n## ', start + heading.length);
    updated = old.slice(0, start) + heading + '\n' + body + (next >= 0 ? old.slice(next) : '');
  }
  fs.writeFileSync(file, updated);
}

/** A minimal .npy (format 1.0) writer for a uint8 array. */
export function writeNpyUint8(file: string, data: Uint8Array, shape: number[]): void {
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}
