import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

describe('package: usable from JavaScript and TypeScript', () => {
  it('loads with require() by its name', () => {
    const out = node(['-e', "const s = require('sslmem'); process.stdout.write(typeof s.systemInfo + ' ' + s.systemInfo().kernels.tier)"]);
    assert.equal(out, 'function kernels');
  });

  it('loads with import by its name', () => {
    const out = node(['--input-type=module', '-e', "import { systemInfo } from 'sslmem'; process.stdout.write(systemInfo().kernels.tier)"]);
    assert.equal(out, 'kernels');
  });

  it('ships declarations that type-check a consumer in strict mode', () => {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    // Throws (non-zero exit) with the compiler's diagnostics if the declarations are broken.
    node([tsc, '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node',
      path.join(root, 'test', 'consumer', 'consumer.cts')]);
  });

  it('has a sslmem command whose --help lists the commands', () => {
    const out = node([path.join(root, 'dist', 'lib', 'cli', 'main.js'), '--help']);
    assert.match(out, /Usage: sslmem/);
    assert.match(out, /info/);
  });
});
