/**
 * The consumer path (issue 16, part 6): a project that installed the `npm pack` tarball builds the
 * torch tier with `npx sslmem build-torch` from its own folder. The tarball is packed and unpacked
 * into node_modules as npm would; the kernel addon is copied in rather than rebuilt and the
 * dependencies are linked to ours (CI has no time for a second native build nor network beyond
 * npm, and `npm install` building the kernel tier is the install hook every clone already runs).
 * The torch build itself (5-10 min on 2 cores) is not run here but in build-torch.test.ts (a real
 * `npm install` of the tarball, the build, and the project's own require('sslmem') scoring); this
 * file checks quickly that the command builds inside node_modules/sslmem, resolves --libtorch
 * against the caller's folder, fails clearly on a folder without libtorch, and that the library
 * looks for the addon where the build puts it.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

describe('consumer: a project that installed the packed tarball', function () {
  this.timeout(120_000);
  let project: string;
  let installed: string;

  before(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-consumer-'));
    // --ignore-scripts: dist/ is already compiled (this test runs from it); prepare would recompile.
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], { cwd: root, encoding: 'utf8' })) as { filename: string }[];
    installed = path.join(project, 'node_modules', 'sslmem');
    fs.mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(project, packed[0].filename), '-C', installed, '--strip-components=1']);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { sslmem: `file:${packed[0].filename}` } }));
    const { dependencies } = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(dependencies)) fs.symlinkSync(path.join(root, 'node_modules', name), path.join(project, 'node_modules', name));
    fs.mkdirSync(path.join(installed, 'build', 'Release'), { recursive: true });
    fs.copyFileSync(path.join(root, 'build', 'Release', 'sslmem_kernels.node'), path.join(installed, 'build', 'Release', 'sslmem_kernels.node'));
    fs.mkdirSync(path.join(project, 'node_modules', '.bin'));
    // As npm links a package's bin on install: executable, under node_modules/.bin.
    fs.chmodSync(path.join(installed, 'dist', 'lib', 'cli', 'main.js'), 0o755);
    fs.symlinkSync('../sslmem/dist/lib/cli/main.js', path.join(project, 'node_modules', '.bin', 'sslmem'));
  });

  after(() => fs.rmSync(project, { recursive: true, force: true }));

  const npx = (args: string[]) => spawnSync('npx', ['--no', '--', 'sslmem', ...args], { cwd: project, encoding: 'utf8', env: { ...process.env, LIBTORCH: '', SSLMEM_TORCH_ADDON: '' } });

  it('ships what the torch build needs: the script, CMakeLists.txt and the torch sources', () => {
    for (const file of ['scripts/build-torch.js', 'CMakeLists.txt', 'native/torch', 'native/addon/torch', 'dist/lib/cli/build-torch.js']) {
      assert.ok(fs.existsSync(path.join(installed, file)), `${file} is missing from the tarball`);
    }
    assert.ok(!fs.existsSync(path.join(installed, 'build-torch')), 'a built torch tier must not be packed');
  });

  it('looks for the torch addon inside node_modules/sslmem and says to run npx sslmem build-torch', () => {
    const run = spawnSync(process.execPath, ['-e', "try { require('sslmem').torchInfo(); } catch (e) { process.stdout.write(e.code + '\\n' + e.message); }"], {
      cwd: project, encoding: 'utf8', env: { ...process.env, SSLMEM_TORCH_ADDON: '' },
    });
    assert.equal(run.status, 0, run.stderr);
    const [code, message] = run.stdout.split('\n');
    assert.equal(code, 'ERR_SSLMEM_TORCH_MISSING');
    assert.ok(message.includes(path.join(fs.realpathSync(installed), 'build-torch', 'Release', 'sslmem_torch.node')), message);
    assert.match(message, /npx sslmem build-torch/);
  });

  it('npx sslmem build-torch builds inside the installed package and resolves --libtorch from the caller\'s folder', () => {
    const run = npx(['build-torch', '--libtorch', 'no-libtorch-here']);
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.ok(run.stdout.includes(`building the torch tier of sslmem in ${fs.realpathSync(installed)}`), run.stdout);
    assert.ok(run.stderr.includes(`share/cmake/Torch/TorchConfig.cmake for --libtorch but received ${path.join(fs.realpathSync(project), 'no-libtorch-here')}`), run.stderr);
    assert.ok(!fs.existsSync(path.join(installed, 'build-torch')), 'nothing is built when the arguments are wrong');
  });

  it('lists build-torch in the help', () => {
    const run = npx(['--help']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /build-torch/);
  });
});
