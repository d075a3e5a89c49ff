/**
 * Statistical checks of the parameter samplers over many draws, against the distributions that
 * torchvision 0.14's transforms specify (see native/kernels/augment_params.h). Seeds are fixed, so
 * the tests are deterministic; thresholds are set at a false-alarm rate of about 1e-3 for a correct
 * sampler (binomial rates within 4.5 standard errors, Kolmogorov-Smirnov D below 1.95 / sqrt(n),
 * chi-square with 23 degrees of freedom below 49.7), so a biased sampler fails.
 */
import { strict as assert } from 'node:assert';
import { PipelineSpec, ViewParams, ViewTransformSpec, sampleParams } from '../../lib/augment';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { makeImages } from './helpers';

const IMAGES = 10;
const VIEWS = 2000;
const DRAWS = IMAGES * VIEWS;

async function draw(view: ViewTransformSpec, h = 32, w = 32, seed = 2024): Promise<ViewParams[]> {
  const pipeline: PipelineSpec = { views: [view] };
  const params = await sampleParams(makeImages(IMAGES, h, w, 3), { pipeline, views: VIEWS, seed });
  return params.flat();
}

function rate(values: boolean[]): number {
  return values.filter(Boolean).length / values.length;
}

function assertRate(values: boolean[], p: number, what: string): void {
  const se = Math.sqrt((p * (1 - p)) / values.length);
  const r = rate(values);
  assert.ok(Math.abs(r - p) <= 4.5 * se + 1e-12, `${what}: rate ${r}, expected ${p} +- ${4.5 * se}`);
}

/** Kolmogorov-Smirnov statistic of samples against U[lo, hi]. */
function ksUniform(samples: number[], lo: number, hi: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  let d = 0;
  sorted.forEach((x, i) => {
    const cdf = Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
    d = Math.max(d, Math.abs(cdf - i / sorted.length), Math.abs(cdf - (i + 1) / sorted.length));
  });
  return d;
}

function assertUniform(samples: number[], lo: number, hi: number, what: string): void {
  assert.ok(samples.every((x) => x >= lo && x <= hi), `${what}: a sample outside [${lo}, ${hi}]`);
  const d = ksUniform(samples, lo, hi);
  const critical = 1.95 / Math.sqrt(samples.length);
  assert.ok(d < critical, `${what}: KS D = ${d} >= ${critical}`);
}

describe('augment samplers: statistics over 20,000 draws', function () {
  this.timeout(60000);

  it('applies flip, grayscale, jitter, blur and solarize at their probabilities', async () => {
    const params = await draw({
      flip: 0.5,
      grayscale: 0.2,
      colorJitter: { p: 0.8, brightness: 0.4 },
      blur: { p: 0.1, kernelSize: 3 },
      solarize: { p: 0.35 },
    });
    assertRate(params.map((p) => p.flip), 0.5, 'flip');
    assertRate(params.map((p) => p.grayscale), 0.2, 'grayscale');
    assertRate(params.map((p) => p.colorJitter !== null), 0.8, 'colorJitter');
    assertRate(params.map((p) => p.blur !== null), 0.1, 'blur');
    assertRate(params.map((p) => p.solarize !== null), 0.35, 'solarize');
  });

  it('p = 0 never applies and p = 1 always does', async () => {
    const never = await draw({ flip: 0, grayscale: 0, colorJitter: { p: 0, hue: 0.1 }, solarize: { p: 0 } });
    assert.ok(never.every((p) => !p.flip && !p.grayscale && p.colorJitter === null && p.solarize === null));
    const always = await draw({ flip: 1, grayscale: 1, colorJitter: { p: 1, hue: 0.1 }, solarize: { p: 1 } });
    assert.ok(always.every((p) => p.flip && p.grayscale && p.colorJitter !== null && p.solarize !== null));
  });

  it('draws jitter factors uniformly from [max(0, 1 - x), 1 + x] and hue from [-x, x]', async () => {
    const params = await draw({ colorJitter: { p: 1, brightness: 0.4, contrast: 1.5, saturation: 0.8, hue: 0.3 } });
    const j = params.map((p) => p.colorJitter!);
    assertUniform(j.map((x) => x.brightness!), 0.6, 1.4, 'brightness 0.4');
    assertUniform(j.map((x) => x.contrast!), 0, 2.5, 'contrast 1.5 (clipped at 0)');
    assertUniform(j.map((x) => x.saturation!), 0.2, 1.8, 'saturation 0.8');
    assertUniform(j.map((x) => x.hue!), -0.3, 0.3, 'hue 0.3');
    const off = await draw({ colorJitter: { p: 1, brightness: 0.4 } });
    assert.ok(off.every((p) => p.colorJitter!.contrast === null && p.colorJitter!.saturation === null && p.colorJitter!.hue === null));
  });

  it('orders the four jitter adjustments by a uniform random permutation', async () => {
    const params = await draw({ colorJitter: { p: 1, brightness: 0.1 } });
    const counts = new Map<string, number>();
    for (const p of params) {
      const order = p.colorJitter!.order;
      assert.deepEqual([...order].sort(), [0, 1, 2, 3]);
      counts.set(order.join(''), (counts.get(order.join('')) ?? 0) + 1);
    }
    assert.equal(counts.size, 24);
    const expected = DRAWS / 24;
    const chi2 = [...counts.values()].reduce((s, c) => s + ((c - expected) ** 2) / expected, 0);
    assert.ok(chi2 < 49.7, `chi-square ${chi2} (23 dof)`);
  });

  it('draws blur sigma uniformly from the sigma range', async () => {
    const params = await draw({ blur: { p: 1, kernelSize: 5, sigma: [0.1, 2] } });
    assert.ok(params.every((p) => p.blur!.kernelSize === 5));
    assertUniform(params.map((p) => p.blur!.sigma), 0.1, 2, 'sigma');
  });

  it('draws crop area fractions uniformly and log aspect ratios uniformly (no rejection possible)', async () => {
    // On 200 x 200 with scale <= 0.5 and ratio in [3/4, 4/3] every first try fits (side <= 164),
    // so (area, log ratio) follow U(scale) x U(log ratio) up to rounding to whole pixels.
    const params = await draw({ crop: { scale: [0.08, 0.5], ratio: [3 / 4, 4 / 3] }, size: 32 }, 200, 200);
    const areas = params.map((p) => (p.crop.width * p.crop.height) / 40000);
    const logRatios = params.map((p) => Math.log(p.crop.width / p.crop.height));
    // Rounding w and h moves the area by < 2% and the log ratio by < 0.02: widen the ranges by that.
    assertUniformLoose(areas, 0.08, 0.5, 0.01, 'area fraction');
    assertUniformLoose(logRatios, Math.log(3 / 4), Math.log(4 / 3), 0.02, 'log aspect ratio');
    // Positions uniform over the valid range: top / (H - h) has mean 1/2.
    const pos = params.map((p) => p.crop.top / (200 - p.crop.height));
    const mean = pos.reduce((a, b) => a + b, 0) / pos.length;
    assert.ok(Math.abs(mean - 0.5) < 0.01, `mean relative top ${mean}`);
    assert.ok(params.every((p) => p.crop.top + p.crop.height <= 200 && p.crop.left + p.crop.width <= 200));
  });

  it('falls back to the centre crop with the ratio clamped after 10 failed tries', async () => {
    // 10 x 100: a crop of 90-100% of the area never fits the height, so every view falls back:
    // the image is wider than ratio 1 allows, so h = 10, w = round(10 * 1), centred.
    const wide = await draw({ crop: { scale: [0.9, 1], ratio: [1, 1] }, size: [10, 10] }, 10, 100);
    assert.ok(wide.every((p) => p.crop.top === 0 && p.crop.left === 45 && p.crop.height === 10 && p.crop.width === 10));
    // 100 x 10 with ratio [2, 3]: taller than allowed, w = 10, h = round(10 / 2) = 5, top = (100 - 5) // 2.
    const tall = await draw({ crop: { scale: [0.9, 1], ratio: [2, 3] }, size: [10, 10] }, 100, 10);
    assert.ok(tall.every((p) => p.crop.top === 47 && p.crop.left === 0 && p.crop.height === 5 && p.crop.width === 10));
    // Within the ratio range the fallback is the whole image: on 10 x 10 with ratio [0.5, 2] and
    // scale 1 a try fits only when both rounded sides are 10, and the fallback is the whole image,
    // so every view is the whole image either way.
    const square = await draw({ crop: { scale: [1, 1], ratio: [0.5, 2] } }, 10, 10);
    assert.ok(square.every((p) => p.crop.top === 0 && p.crop.left === 0 && p.crop.height === 10 && p.crop.width === 10));
  });
});

/** torchvision's own RandomResizedCrop.get_params draws (test/oracles/torchvision_crop_params.py). */
function torchvisionBoxes(request: { height: number; width: number; scale: number[]; ratio: number[]; count: number; seed: number }): number[][] {
  const script = path.resolve(__dirname, '..', '..', '..', 'test', 'oracles', 'torchvision_crop_params.py');
  const result = spawnSync('/usr/bin/python3', [script], { input: JSON.stringify(request), maxBuffer: 1 << 28, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`oracle failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { boxes: number[][] }).boxes;
}

/** Two-sample Kolmogorov-Smirnov statistic. */
function ksTwoSample(a: number[], b: number[]): number {
  const x = [...a].sort((p, q) => p - q), y = [...b].sort((p, q) => p - q);
  let i = 0, j = 0, d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

describe('augment samplers: crop boxes distributed as torchvision draws them', function () {
  this.timeout(120000);
  // 32 x 32 with the SimCLR ranges: large crops are often rejected and retried, so this also
  // checks the rejection loop; on 20 x 40 with scale 0.3-1 tall crops are rejected often and
  // some views end in the centre-crop fallback.
  const theirCount = 5000;  // torchvision's get_params costs ~0.5 ms a call in Python
  for (const [h, w, scale] of [[32, 32, [0.08, 1]], [20, 40, [0.3, 1]]] as const) {
    it(`${h} x ${w}, scale [${scale}]: area, aspect, top and left match (two-sample KS)`, async () => {
      const ratio = [3 / 4, 4 / 3];
      const ours = await draw({ crop: { scale: [scale[0], scale[1]], ratio: [ratio[0], ratio[1]] }, size: 8 }, h, w, 7);
      const theirs = torchvisionBoxes({ height: h, width: w, scale: [...scale], ratio, count: theirCount, seed: 7 });
      const critical = 1.95 * Math.sqrt(1 / DRAWS + 1 / theirCount);
      const features: Array<[string, (b: number[]) => number]> = [
        ['area', (b) => b[2] * b[3]],
        ['aspect', (b) => b[3] / b[2]],
        ['top', (b) => b[0]],
        ['left', (b) => b[1]],
      ];
      const oursBoxes = ours.map((p) => [p.crop.top, p.crop.left, p.crop.height, p.crop.width]);
      for (const [name, f] of features) {
        const d = ksTwoSample(oursBoxes.map(f), theirs.map(f));
        assert.ok(d < critical, `${name}: two-sample KS D = ${d} >= ${critical}`);
      }
    });
  }
});

/** KS against U[lo, hi] allowing each sample to sit up to `slack` from its exact value. */
function assertUniformLoose(samples: number[], lo: number, hi: number, slack: number, what: string): void {
  assert.ok(samples.every((x) => x >= lo - slack && x <= hi + slack), `${what}: a sample outside the range`);
  const sorted = [...samples].sort((a, b) => a - b);
  const critical = 1.95 / Math.sqrt(sorted.length) + slack / (hi - lo);
  let d = 0;
  sorted.forEach((x, i) => {
    const cdf = Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
    d = Math.max(d, Math.abs(cdf - i / sorted.length), Math.abs(cdf - (i + 1) / sorted.length));
  });
  assert.ok(d < critical, `${what}: KS D = ${d} >= ${critical}`);
}
