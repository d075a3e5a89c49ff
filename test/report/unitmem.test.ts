/**
 * UnitMem in the report, from a hand-made UnitMem result: activations built so that each unit's
 * selected point is known (a tie, a constant unit), folded by the real kernel and written by
 * writeUnitMemOutputs. The page must list, per layer, the points with the unit counts worked out by
 * hand below, in order (most units first, ties by smaller id), show each as its own image (grayscale
 * and colour pixels checked after the PNG round trip), and carry unitmem.json's numbers exactly.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { writeReport } from '../../lib/report';
import { UnitMemAccumulator, writeUnitMemOutputs } from '../../lib/unitmem';
import { syntheticDataset, writeSyntheticRun } from './fixture';
import { CHROMIUM, lookup, renderDom } from './render';

/** Dataset indices of the 8 points, in the order their activations are given. */
const IDS = [12, 3, 7, 30, 5, 18, 9, 21];

/**
 * Per layer, per unit, the activation of each of the 8 points (one view each). Worked out by hand:
 * conv  unit0 -> #30, unit1 -> #30, unit2 -> #21, unit3 constant (none), unit4 ties #30 and #9 -> #9
 *       so #30: 2 units, then #9 and #21: 1 each (ties by smaller id).
 * fc.0  unit0 -> #21, unit1 -> #21, unit2 -> #7, unit3 -> #21, so #21: 3 units, #7: 1.
 */
const UNITS: Record<string, number[][]> = {
  conv: [
    [1, 1, 1, 5, 1, 1, 1, 1],
    [0, 0, 0, 2, 0, 0, 0, 1],
    [1, 2, 3, 1, 1, 1, 1, 9],
    [1, 1, 1, 1, 1, 1, 1, 1],
    [0, 0, 0, 3, 0, 0, 3, 0],
  ],
  'fc.0': [
    [0.1, 0.2, 0.1, 0.1, 0.3, 0.1, 0.1, 0.9],
    [0, 0, 0, 0, 0, 0, 0, 4],
    [0, 0, 6, 0, 0, 1, 0, 0],
    [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6],
  ],
};
const EXPECTED: Record<string, Array<[number, number]>> = { conv: [[30, 2], [9, 1], [21, 1]], 'fc.0': [[21, 3], [7, 1]] };

async function writeHandMadeUnitMem(dir: string, dataset?: { name: string; split: string }): Promise<void> {
  const states = [];
  for (const units of Object.values(UNITS)) {
    const data = new Float32Array(IDS.length * units.length);
    units.forEach((values, k) => values.forEach((v, p) => (data[p * units.length + k] = v)));
    const state = UnitMemAccumulator.create(units.length);
    await state.add({ data, shape: [IDS.length, 1, units.length] }, IDS);
    states.push(state);
  }
  writeUnitMemOutputs(dir, { layers: Object.keys(UNITS), views: 1, seed: 0, pipeline: 'sslmem-scoring', provenance: dataset ? { dataset } : {} }, states);
}

/** The points and unit counts the page shows per layer (`<figure data-point>` with its count), in page order. */
function shownPoints(html: string): Record<string, Array<[number, number]>> {
  const out: Record<string, Array<[number, number]>> = {};
  for (const section of html.split('<h3>').slice(1)) {
    const layer = section.slice(0, section.indexOf(':'));
    out[layer] = [...section.matchAll(/<figure data-point="(\d+)">[\s\S]*?data-value="(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
  }
  return out;
}

/** The RGB(A)/grey pixels of a PNG, and its channel count. */
async function pngPixels(file: string): Promise<{ data: Buffer; channels: number; width: number }> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { data, channels: info.channels, width: info.width };
}

describe('report: UnitMem', function () {
  this.timeout(180_000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sslmem-report-unitmem-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("a UnitMem folder's page lists each layer's selected points with their hand-computed unit counts and images, and renders in Chromium", async () => {
    const dir = path.join(tmp, 'grey');
    await writeHandMadeUnitMem(dir);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'unitmem.json'), 'utf8'));
    assert.deepEqual(summary.layers.map((l: { topPoints: Array<{ point: number; units: number }> }) => l.topPoints.map((t) => [t.point, t.units])), [EXPECTED.conv, EXPECTED['fc.0']]);
    assert.deepEqual(summary.layers.map((l: { constantUnits: number }) => l.constantUnits), [1, 0]);

    const dataset = syntheticDataset(40);
    const written = await writeReport(dir, { unitmemDataset: dataset });
    assert.equal(written.galleryMissing, undefined);
    const html = fs.readFileSync(written.html, 'utf8');
    assert.deepEqual(shownPoints(html), EXPECTED);
    // Labels: the synthetic dataset's label of #30 is 30 % 3 = 0, an escaped class name.
    assert.match(html, /#30 cat &lt;a&gt;<br>/);
    assert.match(html, /#7 dog &amp; co<br>/);
    // One PNG per shown point (layer index in the name: layer names may hold any character), and the chart.
    assert.deepEqual(written.files, ['unitmem-0-1-idx30.png', 'unitmem-0-2-idx9.png', 'unitmem-0-3-idx21.png', 'unitmem-1-1-idx21.png', 'unitmem-1-2-idx7.png', 'unitmem-selectivity.svg']);
    // The thumbnail is the point's own image, upscaled: its top-left pixel is the image's.
    // (sharp may store a grey image as RGB: every channel then holds the grey value.)
    const png = await pngPixels(path.join(written.assets, 'unitmem-0-1-idx30.png'));
    const grey = (x: number, y: number) => [...png.data.subarray((y * png.width + x) * png.channels, (y * png.width + x + 1) * png.channels)];
    const factor = png.width / 8;
    assert.equal(factor, 11, 'an 8x8 image upscaled by a whole factor to at least 84 px');
    assert.deepEqual(grey(0, 0), new Array(png.channels).fill(dataset.images.data[30 * 64]));
    assert.deepEqual(grey(7 * factor, 7 * factor), new Array(png.channels).fill(dataset.images.data[30 * 64 + 7 * 8 + 7]), 'its last pixel');
    assert.notEqual(dataset.images.data[30 * 64], dataset.images.data[30 * 64 + 63]);

    assert.ok(fs.existsSync(CHROMIUM));
    const dom = renderDom(written.html);
    assert.match(dom, /<body[^>]*data-ready="true"/);
    const images = [...dom.matchAll(/<img [^>]*>/g)].map((m) => m[0]);
    assert.equal(images.length, 6);
    for (const img of images) assert.match(img, /data-loaded="true"/, img);
    const numbers = [...dom.matchAll(/data-key="unitmem\.([^"]+)" data-value="([^"]*)"/g)];
    assert.equal(numbers.length, 2 * 9 + 5, 'per layer 9 statistics, and one count per shown point');
    for (const [, key, value] of numbers) assert.equal(Number(value), lookup(summary, key), key);
  });

  it('colour images keep their three channels; the images come from images.npy in the folder', async () => {
    const dir = path.join(tmp, 'colour');
    await writeHandMadeUnitMem(dir);
    const npy = path.join(dir, 'images.npy');
    const py = spawnSync('/usr/bin/python3', ['-c', `import numpy as np; np.save(${JSON.stringify(npy)}, (np.arange(40*6*6*3) * 7 % 251).astype(np.uint8).reshape(40, 6, 6, 3))`], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const written = await writeReport(dir);
    assert.equal(written.galleryMissing, undefined);
    const png = await pngPixels(path.join(written.assets, 'unitmem-1-1-idx21.png'));
    assert.equal(png.channels, 3);
    const at = 21 * 6 * 6 * 3;
    assert.deepEqual([...png.data.subarray(0, 3)], [at, at + 1, at + 2].map((i) => (i * 7) % 251));
  });

  it("a run's report shows a UnitMem folder's section beside its own; without images the section says why", async () => {
    const run = path.join(tmp, 'run');
    writeSyntheticRun(run);
    const unitmem = path.join(tmp, 'for-run');
    await writeHandMadeUnitMem(unitmem, { name: path.join(tmp, 'no-such-dataset'), split: 'train' });
    const written = await writeReport(run, { dataset: syntheticDataset(40), unitmem, galleryCount: 2 });
    const html = fs.readFileSync(written.html, 'utf8');
    assert.match(html, /Memorization per unit \(UnitMem\)/);
    assert.match(html, /Most memorized/);
    assert.match(html, /Images of the selected points left out: dataset &quot;[^&]*no-such-dataset&quot; \(train\) could not be loaded/);
    assert.ok(written.files.includes('unitmem-selectivity.svg'));
    assert.ok(!written.files.some((f) => f.startsWith('unitmem-') && f.endsWith('.png')));
    // The numbers are still there, and the run's own ones too.
    assert.match(html, /data-key="unitmem\.layers\.0\.constantUnits" data-value="1"/);
    assert.match(html, /data-key="groups\.candidates\.mean"/);
  });

  it('rejects a UnitMem folder whose files are missing or corrupt, naming the file', async () => {
    const dir = path.join(tmp, 'bad');
    await writeHandMadeUnitMem(dir);
    fs.writeFileSync(path.join(dir, 'units.csv'), 'layer,unit,mu_max,mu_rest,selectivity,point\nconv,0,1,1,0,3\n');
    await assert.rejects(writeReport(dir), (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_CORRUPT_FILE' && /selectivity for each of the 5 units of layer conv/.test(e.message));
    fs.rmSync(path.join(dir, 'units.csv'));
    await assert.rejects(writeReport(dir), (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_FILE_NOT_FOUND' && /units\.csv/.test(e.message));
    const run = path.join(tmp, 'run-bad');
    writeSyntheticRun(run);
    await assert.rejects(writeReport(run, { unitmem: path.join(tmp, 'nowhere') }), (e: Error & { code?: string }) => e.code === 'ERR_SSLMEM_FILE_NOT_FOUND' && /unitmem\.json/.test(e.message));
    assert.ok(!fs.existsSync(path.join(run, 'report.html')));
    assert.ok(!fs.existsSync(path.join(dir, 'report.html')));
  });
});
