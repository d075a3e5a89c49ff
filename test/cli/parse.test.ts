import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { flagParsers, optionalNumber, parseInteger, parseIntegers, parseNumber } from '../../lib/cli/parse';

const CLI = path.join(__dirname, '..', '..', 'lib', 'cli', 'main.js');
const sslmem = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

/** A RangeError with the table's code whose message names the flag and quotes what came. */
function rangeError(flag: string, received: string) {
  return (error: unknown) => {
    assert.ok(error instanceof RangeError, String(error));
    assert.equal((error as RangeError & { code: string }).code, 'ERR_SSLMEM_OUT_OF_RANGE');
    assert.match(error.message, new RegExp(`^Expected .* for ${flag} but received ${received.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    return true;
  };
}

describe('cli/parse: the one set of number parsers', () => {
  it('parses what it should, exactly as Number() does', () => {
    assert.equal(parseNumber('--lr', '1e-3'), 1e-3);
    assert.equal(parseNumber('--lr', ' 0.5 '), 0.5);
    assert.equal(parseInteger('--views', '32'), 32);
    assert.equal(parseInteger('--seed', '0', { min: 0 }), 0);
    assert.deepEqual(parseIntegers('--sizes', '0, 200,400', 0), [0, 200, 400]);
    assert.equal(optionalNumber('--temperature', undefined), undefined);
    assert.equal(flagParsers.integer('--top-k')('20'), 20);
  });

  it('rejects non-numbers, fractions and out-of-range values with a RangeError naming the flag', () => {
    assert.throws(() => parseNumber('--lr', ''), rangeError('--lr', ''));
    assert.throws(() => parseNumber('--lr', 'abc'), rangeError('--lr', 'abc'));
    assert.throws(() => parseNumber('--lr', 'Infinity'), rangeError('--lr', 'Infinity'));
    assert.throws(() => parseNumber('--width', '0', { positive: true }), rangeError('--width', '0'));
    assert.throws(() => parseInteger('--views', '1.5'), rangeError('--views', '1.5'));
    assert.throws(() => parseInteger('--epochs', '0', { min: 1 }), rangeError('--epochs', '0'));
    assert.throws(() => parseInteger('--gallery', '1001', { min: 1, max: 1000 }), rangeError('--gallery', '1001'));
    assert.throws(() => parseIntegers('--sizes', '1,,2', 0), rangeError('--sizes', '1,,2'));
    assert.throws(() => parseIntegers('--seeds', '1,-2', 0), rangeError('--seeds', '1,-2'));
    assert.throws(() => flagParsers.number('--fdr')('x'), rangeError('--fdr', 'x'));
  });

  it('every command reports a bad number the same way', () => {
    const cases: Array<[string, string[]]> = [['--views', ['run', '--views', '1.5']], ['--top-k', ['merge', '--top-k', 'x', 'part.json']], ['--gallery', ['report', '--gallery', '0', '.']], ['--k', ['eval', '--encoder', 'e', '--k', '-1']]];
    for (const [flag, args] of cases) {
      const run = sslmem(args);
      assert.equal(run.status, 1, args.join(' '));
      assert.match(run.stderr, new RegExp(`^sslmem: Expected .* for ${flag} but received .* \\[ERR_SSLMEM_OUT_OF_RANGE\\]\\n$`), args.join(' '));
    }
  });
});

describe('cli: flag names agree across commands', () => {
  it('train names the backbone --architecture, like run and removal; --encoder still works, hidden and deprecated', () => {
    for (const command of ['train', 'run', 'removal']) assert.match(sslmem([command, '--help']).stdout, /--architecture <name>/, command);
    assert.doesNotMatch(sslmem(['train', '--help']).stdout, /--encoder/);
    // The alias reaches the same check: a wrong name is refused as --architecture, before training.
    const old = sslmem(['train', '--dataset', 'fashion-mnist-demo', '--encoder', 'nope', '--out', 'never-written']);
    assert.equal(old.status, 1);
    assert.match(old.stderr, /--encoder is deprecated; use --architecture/);
    assert.match(old.stderr, /for --architecture but received the string "nope"/);
  });
});
