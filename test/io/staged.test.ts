/**
 * Output directories appear whole or not at all (lib/io/staged.ts), files are flushed and renamed
 * (lib/io/atomic.ts), and outputs under /proc fail at once instead of looping in mkdir.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertWritableDirectory, makeDirectory, writeFilesAtomic } from '../../lib/io/atomic';
import { OUTPUT_RECORD, StagedDirectory } from '../../lib/io/staged';

const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');

function listing(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).filter((f) => f !== OUTPUT_RECORD).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('io: staged output directories', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-staged-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('nothing is visible until commit; commit replaces the previous output whole and records it', () => {
    const out = path.join(root, 'run');
    const first = StagedDirectory.open(out);
    writeFilesAtomic(first.dir, { 'a.txt': 'one', 'b.txt': 'one' });
    assert.equal(fs.existsSync(out), false);
    first.commit({ command: 'test' });
    assert.deepEqual(listing(out), { 'a.txt': 'one', 'b.txt': 'one' });
    const record = JSON.parse(fs.readFileSync(path.join(out, OUTPUT_RECORD), 'utf8'));
    assert.deepEqual(record, { format: 'sslmem-output/1', command: 'test', files: ['a.txt', 'b.txt'] });

    const second = StagedDirectory.open(out);
    writeFilesAtomic(second.dir, { 'a.txt': 'two' });
    assert.deepEqual(listing(out), { 'a.txt': 'one', 'b.txt': 'one' }, 'the previous output stays whole while the next is written');
    second.commit({ command: 'test' });
    assert.deepEqual(listing(out), { 'a.txt': 'two' }, 'no file of the previous output survives beside the new one');
    assert.deepEqual(fs.readdirSync(root), ['run'], 'no staging or old directory is left');
  });

  it('a crash between the two renames of a commit: the next open puts the previous output back', () => {
    const out = path.join(root, 'run');
    const first = StagedDirectory.open(out);
    writeFilesAtomic(first.dir, { 'a.txt': 'one' });
    first.commit({ command: 'test' });
    // The state commit leaves after its first rename when killed before the second (pid 2^22 + 1 is never alive).
    fs.renameSync(out, path.join(root, `.run.old-${(1 << 22) + 1}`));
    fs.mkdirSync(path.join(root, '.run.partial'));
    fs.writeFileSync(path.join(root, '.run.partial', 'a.txt'), 'half');
    StagedDirectory.open(out);
    assert.deepEqual(listing(out), { 'a.txt': 'one' });
    assert.deepEqual(fs.readdirSync(root).sort(), ['.run.partial', 'run']);
    assert.deepEqual(fs.readdirSync(path.join(root, '.run.partial')), ['.lock'], 'a new run starts from an empty staging directory');
  });

  it('resume keeps the staged files and removes temp files of dead writers', () => {
    const out = path.join(root, 'run');
    const staged = StagedDirectory.open(out);
    const dead = (1 << 22) + 1;
    const stale = [`.scores.csv.${dead}.0.tmp`, `encoder-f.sslmem.tmp-${dead}`, `.report_files.tmp-${dead}-1700000000000`];
    for (const name of stale) fs.writeFileSync(path.join(staged.dir, name), 'x');
    const live = `encoder-g.sslmem.tmp-${process.pid}`;
    fs.writeFileSync(path.join(staged.dir, 'encoder-f.sslmem'), 'kept');
    fs.writeFileSync(path.join(staged.dir, live), 'x');
    const again = StagedDirectory.open(out, { resume: true });
    assert.deepEqual(fs.readdirSync(again.dir).sort(), ['.lock', 'encoder-f.sslmem', live].sort());
  });

  it('refuses to replace a folder sslmem did not write, and another live writer', () => {
    const foreign = path.join(root, 'mine');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'thesis.tex'), '...');
    assert.throws(() => StagedDirectory.open(foreign), { code: 'ERR_SSLMEM_WRITE_FAILED', message: /holds other files \(thesis\.tex\)/ });
    assert.deepEqual(fs.readdirSync(foreign), ['thesis.tex']);
    const out = path.join(root, 'run');
    StagedDirectory.open(out);
    const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(__dirname, '..', '..', 'lib', 'io', 'staged.js'))}).StagedDirectory.open(${JSON.stringify(out)})`], { encoding: 'utf8' });
    assert.notEqual(child.status, 0);
    assert.match(child.stderr, new RegExp(`no other sslmem process writing .* but process ${process.pid} is`));
  });

  it('outputs under /proc fail at once with a coded error (recursive mkdir loops there)', function () {
    if (!fs.existsSync('/proc/self')) this.skip();
    assert.throws(() => makeDirectory('/proc/sslmem-test/a/b'), { code: 'ERR_SSLMEM_WRITE_FAILED', message: /\/proc\/sslmem-test\/a\/b/ });
    assert.throws(() => assertWritableDirectory('/proc/sslmem-test'), { code: 'ERR_SSLMEM_WRITE_FAILED' });
    assert.throws(() => makeDirectory('/etc/hostname/sub'), { code: 'ERR_SSLMEM_WRITE_FAILED', message: /not a directory/ });
    const r = spawnSync(process.execPath, [CLI, 'score', '--manifest', '/nonexistent.json', '--f', 'a', '--g', 'b', '--out', '/proc/sslmem-test/out'], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.signal, null, 'the CLI must not hang');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /ERR_SSLMEM_WRITE_FAILED/);
    assert.equal(makeDirectory(root), undefined);
    assert.equal(makeDirectory(path.join(root, 'x', 'y')), path.join(root, 'x'));
  });
});
