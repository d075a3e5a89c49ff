import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatNumber, writeReport } from '../../lib/report';
import { parseScoresCsv } from '../../lib/score/scores-csv';
import { escapeXml, niceTicks } from '../../lib/report/svg';
import { syntheticDataset, writeSyntheticRun } from './fixture';
import { CHROMIUM, lookup, renderDom, unescape } from './render';

describe('report/writeReport', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-report-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('renders in headless Chromium: every image loads and every number equals summary.json', async function () {
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is installed by scripts/setup.sh (Debian package chromium)`);
    const run = path.join(dir, 'run');
    writeSyntheticRun(run);
    const written = await writeReport(run, { dataset: syntheticDataset(40), galleryCount: 5 });
    assert.equal(written.galleryMissing, undefined);
    const html = fs.readFileSync(written.html, 'utf8');
    assert.doesNotMatch(html, /https?:\/\//, 'the page must not reference the network');
    const dom = renderDom(written.html);
    assert.match(dom, /<body[^>]*data-ready="true"/, 'the load handler ran');
    const images = [...dom.matchAll(/<img [^>]*>/g)].map((m) => m[0]);
    // 2 x 5 gallery PNGs + histogram + per-class + typicality + 4 removal charts.
    assert.equal(images.length, 17);
    for (const img of images) assert.match(img, /data-loaded="true"/, img);
    for (const file of written.files) assert.ok(fs.statSync(path.join(written.assets, file)).size > 0, file);

    const summary = JSON.parse(fs.readFileSync(path.join(run, 'summary.json'), 'utf8'));
    const removal = JSON.parse(fs.readFileSync(path.join(run, 'removal.json'), 'utf8'));
    const typicality = JSON.parse(fs.readFileSync(path.join(run, 'typicality.json'), 'utf8'));
    const shown = [...dom.matchAll(/data-key="([^"]+)" data-value="([^"]*)">([^<]*)</g)];
    assert.ok(shown.length >= 3 * 9 + 2 * 5, `only ${shown.length} numbers found`);
    for (const [, key, value, text] of shown) {
      const source = key.startsWith('removal.') ? removal : key.startsWith('typicality.') ? typicality : summary;
      const expected = lookup(source, key.replace(/^(removal|typicality)\./, '')) as number;
      assert.equal(typeof expected, 'number', key);
      assert.equal(Number(value), expected, `${key}: data-value ${value} vs JSON ${expected}`);
      const kind = /count$/.test(key) ? 'count' : /significantFraction$/.test(key) ? 'percent' : /\.p$/.test(key) ? 'p' : 'value';
      assert.equal(unescape(text), formatNumber(expected, kind), key);
      if (kind === 'value') assert.ok(Math.abs(Number(text) - expected) <= 5e-5 * Math.max(1, Math.abs(expected)) || Math.abs(expected) < 1e-4, key);
    }
    // The candidates' mean m, the headline number, is on the page.
    assert.ok(shown.some(([, key]) => key === 'groups.candidates.mean'));
    // So is the typicality control beside the candidates' correlation.
    assert.ok(shown.some(([, key]) => key === 'typicality.controls.0.spearman.rho'));
    // Class names are escaped, not interpreted.
    assert.match(html, /cat &lt;a&gt;/);
    // The pairing and the views: augmented views and pairs per point, unambiguously.
    assert.match(html, /mode anchor, metric l2-normalized, 32 augmented views, each against the clean image: 32 pairs per point, seed 7/);
  });

  it('leaves the gallery out, saying why, when no images are given', async () => {
    const run = path.join(dir, 'noimages');
    writeSyntheticRun(run);
    const written = await writeReport(run);
    assert.match(written.galleryMissing ?? '', /no images/);
    assert.ok(!written.files.some((f) => f.endsWith('.png')));
    assert.match(fs.readFileSync(written.html, 'utf8'), /Gallery left out/);
    assert.deepEqual(fs.readdirSync(run).filter((f) => f.includes('.tmp')), []);
  });

  it('names the design and its design-level estimates (or says none was recorded)', async () => {
    const run = path.join(dir, 'design');
    writeSyntheticRun(run);
    const file = path.join(run, 'summary.json');
    const summary = JSON.parse(fs.readFileSync(file, 'utf8'));
    const before = fs.readFileSync((await writeReport(run)).html, 'utf8');
    assert.match(before, /Design: one pair of encoders \(not recorded\)/);
    summary.run.design = { name: 'swapped', replicates: 2, standardError: 'view noise of the two pairs', offsetFree: { estimate: 0.01812, se: 0.0019, t: 9.75, df: 250, p: 1.4e-19 } };
    fs.writeFileSync(file, JSON.stringify(summary));
    const html = fs.readFileSync((await writeReport(run)).html, 'utf8');
    assert.match(html, /Design: <b>swapped<\/b>, 2 replicates/);
    assert.match(html, /Offset-free estimate[^<]*0\.0181 \(se 0\.0019, t 9\.75, one-sided p 1\.4e-19\)/);
  });

  it('still writes the report, saying why, when the run\'s g cannot give typicality', async () => {
    const run = path.join(dir, 'badg');
    writeSyntheticRun(run);
    fs.rmSync(path.join(run, 'typicality.json'));
    fs.writeFileSync(path.join(run, 'encoder-g.sslmem'), 'not an encoder');
    const written = await writeReport(run, { dataset: syntheticDataset(40) });
    assert.match(written.typicalityNote ?? '', /typicality not computed/);
    assert.ok(!fs.existsSync(path.join(run, 'typicality.json')));
    assert.ok(fs.existsSync(written.html));
    const skipped = await writeReport(run, { dataset: syntheticDataset(40), typicality: false });
    assert.equal(skipped.typicalityNote, undefined);
  });

  it('rejects a missing or corrupt run directory without writing a report', async () => {
    await assert.rejects(writeReport(path.join(dir, 'nope')), (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_FILE_NOT_FOUND');
    const bad = path.join(dir, 'bad');
    writeSyntheticRun(bad);
    fs.writeFileSync(path.join(bad, 'summary.json'), '{ not json');
    await assert.rejects(writeReport(bad), (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_CORRUPT_FILE' && /summary\.json/.test(e.message));
    assert.ok(!fs.existsSync(path.join(bad, 'report.html')));
  });
});

describe('report helpers', () => {
  it('parses scores.csv by header, with quoted fields', () => {
    const rows = parseScoresCsv('m,index,group,label\n0.5,3,"my ""odd"", group",2\n');
    assert.deepEqual([rows[0].m, rows[0].index, rows[0].group, rows[0].label], [0.5, 3, 'my "odd", group', 2]);
    assert.throws(() => parseScoresCsv('index,group\n1,a\n'), /"label" column/);
  });

  it('escapes XML and makes round ticks', () => {
    assert.equal(escapeXml(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(-0.03, 0.03, 4), [-0.02, 0, 0.02]);
  });
});

describe('cli: sslmem report', function () {
  this.timeout(60_000);
  it('writes the report with the gallery from images.npy (written by numpy)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-report-cli-'));
    try {
      writeSyntheticRun(dir);
      const py = spawnSync('/usr/bin/python3', ['-c', `import numpy as np; np.save(${JSON.stringify(path.join(dir, 'images.npy'))}, (np.arange(40*8*8*1) % 251).astype(np.uint8).reshape(40, 8, 8, 1))`], { encoding: 'utf8' });
      assert.equal(py.status, 0, py.stderr);
      const cli = path.resolve(__dirname, '..', '..', 'lib', 'cli', 'main.js');
      const run = spawnSync(process.execPath, [cli, 'report', dir, '--gallery', '3', '--json'], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const written = JSON.parse(run.stdout);
      assert.equal(written.galleryMissing, undefined);
      assert.equal(written.files.filter((f: string) => f.endsWith('.png')).length, 6);
      const bad = spawnSync(process.execPath, [cli, 'report', path.join(dir, 'missing')], { encoding: 'utf8' });
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /ERR_SSLMEM_FILE_NOT_FOUND/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('report: images from the manifest\'s named dataset', function () {
  this.timeout(60_000);
  it('loads the named dataset, checks its fingerprint, and leaves the gallery out on a mismatch', async () => {
    const { loadDataset, datasetFingerprint } = await import('../../lib/data');
    const demo = await loadDataset('fashion-mnist-demo', 'train');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-report-named-'));
    try {
      writeSyntheticRun(dir);
      const manifest = { format: 'sslmem-manifest/1', seed: 7, dataset: { name: 'fashion-mnist-demo/train', fingerprint: datasetFingerprint(demo), n: demo.labels.length }, extraDataset: null };
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      const { resolveRunImages } = await import('../../lib/report/images');
      const ok = await writeReport(dir, { resolveImages: resolveRunImages, galleryCount: 2 });
      assert.equal(ok.galleryMissing, undefined);
      assert.equal(ok.files.filter((f) => f.endsWith('.png')).length, 4);
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, dataset: { ...manifest.dataset, fingerprint: 'f00' } }));
      const bad = await writeReport(dir, { resolveImages: resolveRunImages });
      assert.match(bad.galleryMissing ?? '', /fingerprint/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
