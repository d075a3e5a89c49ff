/**
 * One table of error codes (lib/errors.ts ErrorCodes) for TS and C++ (issue 12): every
 * `ERR_SSLMEM_*` written in lib/ or native/ is in the table and documented in docs/errors.md, every
 * entry of the table is thrown somewhere, and lib/ names codes through the table, never as string
 * literals of its own.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ErrorCodes } from '../../lib/errors';

const root = path.resolve(__dirname, '..', '..', '..');

function filesUnder(dir: string, endings: readonly string[]): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, endings);
    return endings.some((ending) => entry.name.endsWith(ending)) ? [full] : [];
  });
}

const CODE = /\bERR_SSLMEM_[A-Z0-9_]+\b/g;
const relative = (file: string): string => path.relative(root, file).split(path.sep).join('/');
const libFiles = filesUnder(path.join(root, 'lib'), ['.ts']);
const nativeFiles = filesUnder(path.join(root, 'native'), ['.h', '.cc', '.cpp', '.cu', '.cuh']);
const text = new Map([...libFiles, ...nativeFiles].map((file) => [file, fs.readFileSync(file, 'utf8')]));
const table: readonly string[] = Object.values(ErrorCodes);

/** Where each code appears (comments included: a code a comment promises must exist too). */
function mentions(files: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of files) {
    for (const code of new Set(text.get(file)!.match(CODE) ?? [])) found.set(code, [...(found.get(code) ?? []), relative(file)]);
  }
  return found;
}

/** String literals in a TS file whose text is an error code. */
function codeLiterals(file: string): string[] {
  const source = ts.createSourceFile(file, text.get(file)!, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) && (table.includes(node.text) || /^ERR_SSLMEM_/.test(node.text))) {
      found.push(`${relative(file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1} ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('architecture: error codes', () => {
  it('the table has one key per code and no code twice', () => {
    assert.equal(new Set(table).size, table.length);
    for (const code of table) assert.match(code, /^(ERR_SSLMEM_[A-Z0-9_]+|ABORT_ERR)$/);
  });

  it('every ERR_SSLMEM_* in lib/ and native/ is in the table', () => {
    const unknown = [...mentions([...libFiles, ...nativeFiles])].filter(([code]) => !table.includes(code)).map(([code, where]) => `${code} (${where.join(', ')})`);
    assert.deepEqual(unknown, []);
  });

  it('every code in the table is documented in docs/errors.md with its class', () => {
    const docs = fs.readFileSync(path.join(root, 'docs', 'errors.md'), 'utf8');
    const rows = new Map(docs.split('\n').filter((line) => line.startsWith('| `')).map((line) => [line.split('`')[1], line]));
    const undocumented = table.filter((code) => !/\| (TypeError|RangeError|SslmemError|Error|AbortError)\b/.test(rows.get(code) ?? ''));
    assert.deepEqual(undocumented, []);
    const documentedOnly = [...rows.keys()].filter((code) => !table.includes(code));
    assert.deepEqual(documentedOnly, [], 'docs/errors.md lists codes the table does not have');
  });

  it('every code in the table is thrown somewhere: through ErrorCodes in lib/ or as its string in native/', () => {
    const usedInLib = new Set<string>();
    for (const file of libFiles) {
      if (relative(file) === 'lib/errors.ts') continue;
      for (const match of text.get(file)!.matchAll(/\bErrorCodes\.([A-Za-z]+)/g)) usedInLib.add(match[1]);
    }
    // lib/errors.ts's own helpers (invalidType, outOfRange, abortError) throw these three.
    for (const key of ['invalidType', 'outOfRange', 'aborted']) usedInLib.add(key);
    const nativeCodes = new Set(mentions(nativeFiles).keys());
    const unused = Object.entries(ErrorCodes).filter(([key, code]) => !usedInLib.has(key) && !nativeCodes.has(code)).map(([key]) => key);
    assert.deepEqual(unused, []);
    const unknownKeys = [...usedInLib].filter((key) => !(key in ErrorCodes));
    assert.deepEqual(unknownKeys, []);
  });

  it('out-of-range values are RangeErrors and wrong types TypeErrors: never an SslmemError with those codes', () => {
    const misuse = libFiles.flatMap((file) =>
      [...text.get(file)!.matchAll(/new SslmemError\(\s*ErrorCodes\.(outOfRange|invalidType)\b/g)].map((m) => `${relative(file)}: SslmemError(${m[1]})`),
    );
    assert.deepEqual(misuse, []);
  });

  it('lib/ writes no error code as a string literal outside the table', () => {
    const literals = libFiles.filter((file) => relative(file) !== 'lib/errors.ts').flatMap(codeLiterals);
    assert.deepEqual(literals, []);
  });
});
