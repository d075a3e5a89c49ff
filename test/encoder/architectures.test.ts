/**
 * The encoder registry (native/torch/encoders): each architecture's reported representation size
 * and smallest input hold for the encoder it builds, and unknown names list the registered ones.
 */
import { strict as assert } from 'node:assert';
import { Encoder, findArchitecture, listArchitectures } from '../../lib';

describe('encoder: the architecture registry', () => {
  it('reports the published representation sizes (512 at width 1) and what the built encoders give', () => {
    const names = listArchitectures().map((a) => a.name);
    assert.deepEqual(names, [...names].sort());
    for (const name of ['pooled-cnn', 'resnet18', 'resnet9', 'small-cnn']) assert.ok(names.includes(name), name);
    for (const a of listArchitectures()) {
      if (['pooled-cnn', 'resnet18', 'resnet9', 'small-cnn'].includes(a.name)) assert.equal(a.reprDim, 512, a.name);
      const encoder = Encoder.create({ architecture: a.name, inputShape: [3, 32, 32] });
      assert.equal(encoder.description.reprDim, a.reprDim, a.name);
      encoder.dispose();
      assert.ok(a.layers.length >= 3, `${a.name} names its read-out layers`);
    }
    // ResNet channels scale with the width; the CNNs' final linear layer stays 512.
    const half = Encoder.create({ architecture: 'resnet18', inputShape: [3, 32, 32], width: 0.5 });
    assert.equal(half.description.reprDim, 256);
    half.dispose();
  });

  it('builds at the smallest input it reports and refuses one pixel less', () => {
    for (const a of listArchitectures()) {
      const encoder = Encoder.create({ architecture: a.name, inputShape: [1, a.minSize, a.minSize] });
      encoder.dispose();
      assert.throws(() => Encoder.create({ architecture: a.name, inputShape: [1, a.minSize - 1, a.minSize] }), (e: Error) => e instanceof RangeError && new RegExp(`>= ${a.minSize} for ${a.name}`).test(e.message));
    }
  });

  it('names the registered architectures when given another', () => {
    assert.throws(() => findArchitecture('vit-huge', 'options.architecture'), (e: Error) => e instanceof RangeError && /options\.architecture/.test(e.message) && /"resnet18"/.test(e.message));
    assert.throws(() => Encoder.create({ architecture: 42 as unknown as string, inputShape: [1, 28, 28] }), TypeError);
  });
});
