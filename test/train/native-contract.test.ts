/**
 * The training options cross the boundary under one name each (issue 12, "typed binding"): the
 * keys of lib/train/native.ts's NativeTrainOptions are exactly the fields of the C++ TrainConfig
 * (native/torch/train_loop.h) in camelCase, plus the declared inputs. Both declarations are read
 * from source, so renaming a field on one side only fails here.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { nativeTrainInputKeys } from '../../lib/train/native';

const root = path.resolve(__dirname, '..', '..', '..');

/** Field names of a C++ struct: `type name = default;` or `type name;` lines inside its braces. */
export function cppStructFields(text: string, struct: string): string[] {
  const start = text.indexOf(`struct ${struct} {`);
  assert.ok(start >= 0, `struct ${struct} not found`);
  const body = text.slice(text.indexOf('{', start) + 1, text.indexOf('\n};', start));
  const fields: string[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line.endsWith(';') || line.includes('(')) continue;
    // Without its initializer: `= value` or a brace list `{0.9, 0.999}`.
    let declaration = line.slice(0, -1).split('=')[0].replace(/\{.*\}\s*$/, '').trim();
    // Template arguments hold commas of their own: std::map<std::string, double> x.
    while (/<[^<>]*>/.test(declaration)) declaration = declaration.replace(/<[^<>]*>/g, '');
    for (const name of declaration.split(',').map((part) => part.trim().split(/\s+/).pop()!)) fields.push(name);
  }
  return fields;
}

/** Member names of a TS interface. */
export function tsInterfaceKeys(text: string, name: string): string[] {
  const source = ts.createSourceFile('native.ts', text, ts.ScriptTarget.ES2022, true);
  let keys: string[] | undefined;
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === name) {
      keys = node.members.filter(ts.isPropertySignature).map((member) => (member.name as ts.Identifier).text);
    }
  });
  assert.ok(keys, `interface ${name} not found`);
  return keys;
}

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe('train: the native options contract', () => {
  it('names every TrainConfig field as NativeTrainOptions does, and nothing else', () => {
    const header = fs.readFileSync(path.join(root, 'native', 'torch', 'train_loop.h'), 'utf8');
    const declared = fs.readFileSync(path.join(root, 'lib', 'train', 'native.ts'), 'utf8');
    // n and collective are derived from the data and from `distributed`, never passed.
    const config = cppStructFields(header, 'TrainConfig').filter((f) => f !== 'n' && f !== 'collective').map(camel).sort();
    const keys = tsInterfaceKeys(declared, 'NativeTrainOptions').filter((k) => !(nativeTrainInputKeys as readonly string[]).includes(k)).sort();
    assert.ok(config.length >= 25, `expected the whole TrainConfig, read ${config.length} fields`);
    assert.deepEqual(keys, config);
  });

  it('reads structs and interfaces the way the check above relies on', () => {
    assert.deepEqual(cppStructFields('struct S {\n  int a = 1;  // x\n  double b, c;\n  std::map<std::string, std::vector<int>> d;\n  std::vector<double> e{0.9, 0.999};\n  void f();\n};', 'S'), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(tsInterfaceKeys('interface I { a: number; b?: string; f(): void }', 'I'), ['a', 'b']);
  });
});
