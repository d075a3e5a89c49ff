import { strict as assert } from 'node:assert';
import { assertImageDataset, datasetFingerprint, ImageDataset, loadIdx, subset } from '../../lib/data';
import { fixtureImages, fixtureLabels, python } from './helpers';

describe('data/fingerprint and data/subset', () => {
  let fixture: ImageDataset;
  before(async () => {
    fixture = await loadIdx(fixtureImages, fixtureLabels);
  });

  const copy = (ds: ImageDataset): ImageDataset => ({
    name: ds.name,
    images: { data: ds.images.data.slice(), shape: [...ds.images.shape] },
    labels: ds.labels.slice(),
    classes: [...ds.classes],
  });

  it('the fingerprint equals sha256 computed by python from its definition', () => {
    const facts = python<{ fingerprint: string }>('idx_facts.py', [fixtureImages, fixtureLabels]);
    assert.equal(datasetFingerprint(fixture), facts.fingerprint);
    assert.match(datasetFingerprint(fixture), /^[0-9a-f]{64}$/);
  });

  it('ignores name and class names but changes with any pixel, label, order or shape change', () => {
    const base = datasetFingerprint(fixture);
    assert.equal(datasetFingerprint({ ...copy(fixture), name: 'other', classes: fixture.classes.map((c) => `x${c}`) }), base);
    const pixel = copy(fixture);
    pixel.images.data[123456] ^= 1;
    assert.notEqual(datasetFingerprint(pixel), base);
    const label = copy(fixture);
    label.labels[999] = (label.labels[999] + 1) % 10;
    assert.notEqual(datasetFingerprint(label), base);
    const swapped = subset(fixture, [1, 0, ...Array.from({ length: 998 }, (_, i) => i + 2)]);
    assert.notEqual(datasetFingerprint(swapped), base);
    const reshaped = { ...copy(fixture), images: { data: fixture.images.data, shape: [1000, 784, 1, 1] } };
    assert.notEqual(datasetFingerprint(reshaped), base);
  });

  it('subset takes images and labels in the given order, repeats allowed, as a copy', () => {
    const picked = subset(fixture, Int32Array.from([5, 0, 5]));
    assert.deepEqual(picked.images.shape, [3, 28, 28, 1]);
    const image = (ds: ImageDataset, i: number) => ds.images.data.subarray(i * 784, (i + 1) * 784);
    assert.deepEqual(image(picked, 0), image(fixture, 5));
    assert.deepEqual(image(picked, 1), image(fixture, 0));
    assert.deepEqual(image(picked, 2), image(fixture, 5));
    assert.deepEqual(Array.from(picked.labels), [fixture.labels[5], fixture.labels[0], fixture.labels[5]]);
    assert.deepEqual(picked.classes, fixture.classes);
    picked.images.data[0] = 255 - picked.images.data[0];
    assert.notEqual(picked.images.data[0], fixture.images.data[5 * 784]);
    const all = subset(fixture, Array.from({ length: 1000 }, (_, i) => i));
    assert.equal(datasetFingerprint(all), datasetFingerprint(fixture));
    assert.deepEqual(subset(fixture, []).images.shape, [0, 28, 28, 1]);
  });

  it('subset rejects bad indices naming the position', () => {
    assert.throws(() => subset(fixture, [0, 1000]), (e: RangeError) => e instanceof RangeError && /indices\[1\]/.test(e.message) && /\[0, 999\]/.test(e.message));
    assert.throws(() => subset(fixture, [-1]), /Expected an integer in \[0, 999\] for indices\[0\] but received the number -1/);
    assert.throws(() => subset(fixture, [2.5]), RangeError);
    assert.throws(() => subset(fixture, [NaN]), RangeError);
    assert.throws(() => subset(fixture, ['3'] as unknown as number[]), TypeError);
    assert.throws(() => subset(fixture, 3 as unknown as number[]), /Expected an array of indices for indices but received the number 3/);
  });

  it('assertImageDataset names the bad field', () => {
    assert.doesNotThrow(() => assertImageDataset('dataset', fixture));
    assert.throws(() => datasetFingerprint({ ...fixture, labels: new Int32Array(3) }), /Expected 1000 labels \(one per image\) for dataset.labels but received 3/);
    assert.throws(() => assertImageDataset('ds', { ...fixture, labels: Array.from(fixture.labels) }), /Expected a Int32Array for ds.labels/);
    assert.throws(() => assertImageDataset('ds', { ...fixture, images: { data: new Float32Array(784), shape: [1, 28, 28, 1] } }), TypeError);
    assert.throws(() => assertImageDataset('ds', { ...fixture, images: { data: new Uint8Array(784 * 2), shape: [1, 28, 28, 2] } }), /ds.images.shape\[3\]/);
    assert.throws(() => assertImageDataset('ds', { ...fixture, classes: ['a'] }), /Expected a label in \[0, 0\] for ds.labels\[0\]/);
  });
});
