/**
 * The shape of lib/ as a graph (issue 12, "one place for each concept"): no module imports itself
 * back through others (type-only imports count: a type circle still ties two concerns together),
 * `require` is used only where the addon is loaded, and no value is cast `as never` to silence
 * the type checker. The files are parsed with the TypeScript compiler, so strings and comments
 * that happen to contain these words do not count.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '..', '..', '..');
const libDir = path.join(root, 'lib');

/** Every require() in lib/ that is allowed: the two addon loads in lib/binding.ts. */
const allowedRequires: readonly { file: string; argument: string }[] = [
  { file: 'lib/binding.ts', argument: 'addonPaths.kernels' },
  { file: 'lib/binding.ts', argument: 'addonPaths.torch' },
];

interface Reference { specifier: string; line: number }
interface Facts { imports: Reference[]; requires: { argument: string; line: number }[]; neverCasts: number[] }

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function isRequire(node: ts.CallExpression): boolean {
  return ts.isIdentifier(node.expression) && node.expression.text === 'require';
}

/** Every module reference in a file: static, type-only, re-export, `import()`, `typeof import()`, `require()`. */
export function factsOf(file: string, text: string): Facts {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const facts: Facts = { imports: [], requires: [], neverCasts: [] };
  const lineOf = (node: ts.Node): number => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const addImport = (specifier: ts.Node | undefined, at: ts.Node): void => {
    if (specifier && ts.isStringLiteralLike(specifier)) facts.imports.push({ specifier: specifier.text, line: lineOf(at) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) addImport(node.moduleSpecifier, node);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) addImport(node.moduleReference.expression, node);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) addImport(node.argument.literal, node);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) addImport(node.arguments[0], node);
    else if (ts.isCallExpression(node) && isRequire(node)) {
      addImport(node.arguments[0], node);
      facts.requires.push({ argument: node.arguments.map((a) => a.getText(source)).join(', '), line: lineOf(node) });
    } else if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && node.type.kind === ts.SyntaxKind.NeverKeyword) {
      facts.neverCasts.push(lineOf(node));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return facts;
}

/** The lib/ file a relative specifier names, or undefined for packages and files outside lib/. */
function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base + '.ts', path.join(base, 'index.ts')]) {
    if (candidate.startsWith(libDir + path.sep) && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The strongly connected components of more than one file (or a file importing itself): each is
 * one or more import circles. Tarjan's algorithm, so every circle is found, not just the first
 * one a depth-first walk meets.
 */
export function findCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const circles: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) circles.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return circles;
}

const relative = (file: string): string => path.relative(root, file).split(path.sep).join('/');

describe('architecture: lib/ imports', () => {
  const files = sourceFiles(libDir).sort();
  const facts = new Map(files.map((file) => [file, factsOf(file, fs.readFileSync(file, 'utf8'))]));

  it('finds every kind of module reference and every never-cast (self-check on a sample)', () => {
    const sample = [
      "import a from './a';", "import type { B } from './b';", "export * from './c';",
      "type D = typeof import('./d');", "const e = require('./e');", "void import('./f');",
      "const s = 'was never scored as never';", 'const g = 1 as never;', 'const h = <never>2;',
    ].join('\n');
    const found = factsOf('sample.ts', sample);
    assert.deepEqual(found.imports.map((i) => i.specifier), ['./a', './b', './c', './d', './e', './f']);
    assert.deepEqual(found.requires, [{ argument: "'./e'", line: 5 }]);
    assert.deepEqual(found.neverCasts, [8, 9]);
    assert.deepEqual(findCircles(new Map([['w', ['x']], ['x', ['y']], ['y', ['x', 'z']], ['z', ['w']], ['v', ['v']], ['u', []]])), [['v'], ['w', 'x', 'y', 'z']]);
  });

  it('has no import cycle, type-only and delayed imports included', () => {
    const graph = new Map(files.map((file) => [
      relative(file),
      [...new Set(facts.get(file)!.imports.map((i) => resolveLocal(file, i.specifier)).filter((f): f is string => f !== undefined).map(relative))],
    ]));
    const circles = findCircles(graph).map((files) => files.join(', '));
    assert.deepEqual(circles, []);
  });

  it('has no circle between capability folders (report imports downstream, never the reverse)', () => {
    // Files at lib/'s top (binding, errors, validate, index) are shared by every capability and
    // not folders: binding names each capability's native contract, which is by design.
    const folderOf = (file: string): string | undefined => {
      const parts = path.relative(libDir, file).split(path.sep);
      return parts.length > 1 ? parts[0] : undefined;
    };
    const edges = new Map<string, Set<string>>();
    for (const file of files) {
      const from = folderOf(file);
      if (!from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      for (const reference of facts.get(file)!.imports) {
        const target = resolveLocal(file, reference.specifier);
        const to = target && folderOf(target);
        if (to && to !== from) edges.get(from)!.add(to);
      }
    }
    const graph = new Map([...edges].map(([folder, targets]) => [folder, [...targets].sort()]));
    assert.ok(graph.get('report')?.includes('downstream'), 'expected report/ to import downstream/ (the chosen direction)');
    assert.deepEqual(findCircles(graph).map((folders) => folders.join(', ')), []);
  });

  it('calls require() only to load the native addons in lib/binding.ts', () => {
    const found = files.flatMap((file) => facts.get(file)!.requires.map((r) => ({ file: relative(file), argument: r.argument, line: r.line })));
    const unexpected = found
      .filter((r) => !allowedRequires.some((a) => a.file === r.file && a.argument === r.argument))
      .map((r) => `${r.file}:${r.line} require(${r.argument})`);
    assert.deepEqual(unexpected, []);
    assert.deepEqual(found.map((r) => r.argument).sort(), allowedRequires.map((a) => a.argument).sort(), 'the addon loads moved: update allowedRequires');
  });

  it('casts nothing `as never`', () => {
    const casts = files.flatMap((file) => facts.get(file)!.neverCasts.map((line) => `${relative(file)}:${line}`));
    assert.deepEqual(casts, []);
  });
});
