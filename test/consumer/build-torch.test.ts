/**
 * The consumer path built for real (issue 16, part 6): `npm pack` of this repo, `npm install` of the
 * tarball into a fresh project (its install hook builds the kernel tier there), `npx sslmem
 * build-torch` from the project's folder (the torch tier, built inside node_modules/sslmem), and then
 * the project's own `require('sslmem')` creates encoders, embeds and scores a few points, compared
 * with the same calls on this checkout's build. One install and one build serve every case (the
 * torch build takes minutes). npm is asked to use its cache first (--prefer-offline; --offline when
 * the cache holds everything); where no registry can be reached, the tarball is unpacked as npm
 * would and its dependencies linked to ours, and the kernel tier is still built by the package's
 * own install hook. Skipped, saying so, only where libtorch is not installed.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

/** Where Debian's libtorch-dev or $LIBTORCH puts TorchConfig.cmake; absent: the torch tier cannot be built. */
function libtorchFound(): boolean {
  const candidates = [
    process.env.LIBTORCH && path.join(process.env.LIBTORCH, 'share', 'cmake', 'Torch', 'TorchConfig.cmake'),
    '/usr/lib/x86_64-linux-gnu/cmake/Torch/TorchConfig.cmake',
    '/usr/lib/aarch64-linux-gnu/cmake/Torch/TorchConfig.cmake',
    '/usr/share/cmake/Torch/TorchConfig.cmake',
  ];
  return candidates.some((file) => !!file && fs.existsSync(file));
}

/** What the consumer's script and this process both compute: a seeded encoder pair's embeddings and scores. */
const WORK = `
  const { Encoder, score, setTorchThreads } = sslmem;
  setTorchThreads(1);
  const images = { data: Uint8Array.from({ length: 6 * 28 * 28 }, (_, i) => (i * 37 + (i >> 5)) % 256), shape: [6, 28, 28, 1] };
  const f = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], width: 0.5, seed: 11 });
  const g = Encoder.create({ architecture: 'small-cnn', inputShape: [1, 28, 28], width: 0.5, seed: 12 });
  const embedded = await f.embed(images);
  const scored = await score({ f, g, images, itemIds: [3, 1, 4, 1000, 5, 9], views: 4, seed: 2, threads: 1, batchSize: 4 });
  f.dispose();
  g.dispose();
  return { embedding: Array.from(embedded.data), m: Array.from(scored.m), lossF: Array.from(scored.lossF), lossG: Array.from(scored.lossG) };
`;

type Work = { embedding: number[]; m: number[]; lossF: number[]; lossG: number[] };

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, SSLMEM_TORCH_ADDON: '', SSLMEM_KERNELS_ADDON: '', ...env }, maxBuffer: 64 << 20 });
}

function closeTo(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-6 * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} in the consumer's build vs ${expected[i]} in this checkout's`);
  }
}

const describeWithTorch = libtorchFound() ? describe : describe.skip;
if (!libtorchFound()) console.log('  (consumer torch build skipped: libtorch is not installed: no TorchConfig.cmake under $LIBTORCH or /usr/lib/*/cmake/Torch)');

describeWithTorch('consumer: npm install of the packed tarball, then npx sslmem build-torch (builds the torch tier)', function () {
  this.timeout(3_600_000);
  let project: string;
  let installed: string;
  let how = '';

  before(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-consumer-build-'));
    // --ignore-scripts: dist/ is already compiled (this test runs from it); prepare would recompile.
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], { cwd: root, encoding: 'utf8' })) as { filename: string }[];
    const tarball = path.join(project, packed[0].filename);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    installed = path.join(project, 'node_modules', 'sslmem');
    // JOBS=max: node-gyp compiles the kernel tier on every core.
    const npmInstall = (mode: string) => run('npm', ['install', mode, '--no-audit', '--no-fund', tarball], project, { JOBS: 'max' });
    let install = npmInstall('--offline');
    how = 'npm install --offline';
    if (install.status !== 0) {
      install = npmInstall('--prefer-offline');
      how = 'npm install --prefer-offline';
    }
    if (install.status !== 0) {
      // No registry: unpacked as npm would, dependencies linked to ours, then the package's install hook.
      how = 'unpacked, dependencies linked, install hook run';
      fs.rmSync(path.join(project, 'node_modules'), { recursive: true, force: true });
      fs.mkdirSync(installed, { recursive: true });
      execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
      const { dependencies } = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      for (const name of Object.keys(dependencies)) fs.symlinkSync(path.join(root, 'node_modules', name), path.join(project, 'node_modules', name));
      fs.mkdirSync(path.join(project, 'node_modules', '.bin'));
      fs.chmodSync(path.join(installed, 'dist', 'lib', 'cli', 'main.js'), 0o755);
      fs.symlinkSync('../sslmem/dist/lib/cli/main.js', path.join(project, 'node_modules', '.bin', 'sslmem'));
      install = run('npm', ['run', 'install'], installed, { JOBS: 'max' });
    }
    assert.equal(install.status, 0, `${how}: ${install.stdout}\n${install.stderr}`);
    const build = run('npx', ['--no', '--', 'sslmem', 'build-torch', '--no-cuda'], project);
    assert.equal(build.status, 0, `npx sslmem build-torch: ${build.stdout.slice(-4000)}\n${build.stderr.slice(-4000)}`);
  });

  after(() => fs.rmSync(project, { recursive: true, force: true }));

  it('puts both addons inside node_modules/sslmem: the kernel tier from the install hook, the torch tier from the command', () => {
    assert.ok(fs.existsSync(path.join(installed, 'build', 'Release', 'sslmem_kernels.node')), `the install (${how}) built no kernel addon`);
    assert.ok(fs.existsSync(path.join(installed, 'build-torch', 'Release', 'sslmem_torch.node')), 'build-torch built no torch addon');
  });

  it("the project's require('sslmem') loads them and embeds and scores as this checkout does", () => {
    // The same script in two children (setTorchThreads would otherwise change this process's libtorch):
    // the project's require('sslmem'), and this checkout's dist/lib from the repository root.
    const script = (id: string) =>
      `const sslmem = require(${JSON.stringify(id)}); (async () => { const out = await (async () => { ${WORK} })(); out.torch = sslmem.torchInfo(); out.from = require.resolve(${JSON.stringify(id)}); process.stdout.write(JSON.stringify(out)); })().catch((e) => { console.error(e); process.exit(1); });`;
    const child = run(process.execPath, ['-e', script('sslmem')], project);
    assert.equal(child.status, 0, child.stderr);
    const consumer = JSON.parse(child.stdout) as Work & { torch: { torchVersion: string }; from: string };
    assert.equal(fs.realpathSync(consumer.from), fs.realpathSync(path.join(installed, 'dist', 'lib', 'index.js')), 'the project must load its own installed copy');
    const here = run(process.execPath, ['-e', script(path.join(root, 'dist', 'lib'))], root);
    assert.equal(here.status, 0, here.stderr);
    const ours = JSON.parse(here.stdout) as Work & { torch: { torchVersion: string } };
    assert.equal(consumer.torch.torchVersion, ours.torch.torchVersion);
    closeTo(consumer.embedding, ours.embedding, 'embedding');
    closeTo(consumer.lossF, ours.lossF, 'lossF');
    closeTo(consumer.lossG, ours.lossG, 'lossG');
    closeTo(consumer.m, ours.m, 'm');
  });
});
