/**
 * MAE (native/torch/methods/mae.cc) against the reference code's pieces (He et al. 2022,
 * models_mae.py: patchify, random_masking, forward_loss) written here in PyTorch, and training a
 * ViT with it.
 */
import { strict as assert } from 'node:assert';
import { torch } from '../../lib/binding';
import { findMethod } from '../../lib';
import { knnAgainstRandom, maxAbsDiff, runOracleCode, seededFloats } from './helpers';

const oracle = `
import json, sys
import torch
x = json.load(sys.stdin)
def patchify(imgs, p):
    n, c, h, w = imgs.shape
    t = imgs.reshape(n, c, h // p, p, w // p, p)
    t = torch.einsum('nchpwq->nhwpqc', t)
    return t.reshape(n, (h // p) * (w // p), p * p * c)
def random_masking(t, ratio, noise):
    n, l, d = t.shape
    keep = int(l * (1 - ratio))
    shuffle = torch.argsort(noise, dim=1)
    restore = torch.argsort(shuffle, dim=1)
    kept = torch.gather(t, dim=1, index=shuffle[:, :keep].unsqueeze(-1).repeat(1, 1, d))
    mask = torch.ones([n, l]); mask[:, :keep] = 0
    return kept, restore, torch.gather(mask, dim=1, index=restore)
def forward_loss(imgs, pred, mask, p, norm_pix):
    target = patchify(imgs, p)
    if norm_pix:
        mean = target.mean(dim=-1, keepdim=True); var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1.e-6) ** .5
    loss = ((pred - target) ** 2).mean(dim=-1)
    return (loss * mask).sum() / mask.sum()
t = lambda k: torch.tensor(x[k], dtype=torch.float64).reshape(x[k + 'Shape'])
kept, restore, mask = random_masking(t('tokens'), x['ratio'], t('noise'))
print(json.dumps({
    'masking': torch.cat([kept.flatten(1), restore.double(), mask.double()], 1).reshape(-1).tolist(),
    'loss': float(forward_loss(t('images'), t('prediction'), t('mask'), x['patch'], False)),
    'lossNormPix': float(forward_loss(t('images'), t('prediction'), t('mask'), x['patch'], True)),
}))
`;

describe('MAE', function () {
  this.timeout(600_000);

  it("masks, patchifies and scores as the reference code does (MAE's models_mae.py)", () => {
    const [b, c, h, w, patch] = [3, 3, 8, 12, 4];
    const patches = (h / patch) * (w / patch);
    const images = { data: seededFloats(b * c * h * w, 41), shape: [b, c, h, w] };
    const prediction = { data: seededFloats(b * patches * patch * patch * c, 42), shape: [b, patches, patch * patch * c] };
    const mask = { data: Float32Array.from({ length: b * patches }, (_, i) => ((i * 7) % 3 === 0 ? 0 : 1)), shape: [b, patches] };
    const tokens = { data: seededFloats(b * 8 * 5, 43), shape: [b, 8, 5] };
    const noise = { data: seededFloats(b * 8, 44).map((v) => v + 1), shape: [b, 8] };
    const rows = (t: { data: Float32Array; shape: number[] }) => Array.from(t.data);
    const expected = runOracleCode<{ masking: number[]; loss: number; lossNormPix: number }>(oracle, {
      images: rows(images), imagesShape: images.shape, prediction: rows(prediction), predictionShape: prediction.shape, mask: rows(mask), maskShape: mask.shape,
      tokens: rows(tokens), tokensShape: tokens.shape, noise: rows(noise), noiseShape: noise.shape, ratio: 0.75, patch,
    });
    const t = torch();
    const masking = t.sslLossTensor('mae-masking', [tokens, noise], { maskRatio: 0.75 });
    assert.deepEqual(masking.shape, [b, 2 * 5 + 8 + 8]); // keep floor(8 x 0.25) = 2 tokens, restore order, mask
    assert.ok(maxAbsDiff(masking.data, expected.masking) < 1e-6, `masking differs by ${maxAbsDiff(masking.data, expected.masking)}`);
    const loss = t.sslLoss('mae-loss', [images, prediction, mask], { patch });
    const lossNormPix = t.sslLoss('mae-loss', [images, prediction, mask], { patch, normPixLoss: 1 });
    assert.ok(Math.abs(loss - expected.loss) < 1e-5 * expected.loss, `${loss} vs ${expected.loss}`);
    assert.ok(Math.abs(lossNormPix - expected.lossNormPix) < 1e-5 * expected.lossNormPix, `${lossNormPix} vs ${expected.lossNormPix}`);
  });

  it("reports the paper's optimizer and one view per step, and needs a ViT", async () => {
    const mae = findMethod('mae', 'method');
    assert.deepEqual(mae.optimizer, { name: 'adamw', baseLr: 1.5e-4, weightDecay: 0.05, betas: [0.9, 0.95] });
    assert.equal(mae.views, 1);
    assert.equal(mae.hasProjector, false);
    const { fashionMnist } = await import('./helpers');
    const data = fashionMnist('train', 8);
    const { train } = await import('../../lib');
    await assert.rejects(train({ images: data.images, encoder: { architecture: 'small-cnn' }, method: 'mae', pipeline: 'grayscale-28', epochs: 1, batchSize: 4, seed: 0 }),
      (e: Error) => e instanceof RangeError && /a ViT \(vit-tiny, vit-small\) for mae/.test(e.message));
    await assert.rejects(train({ images: data.images, encoder: { architecture: 'vit-tiny' }, method: 'mae', methodOptions: { projectorDims: [8] }, pipeline: 'grayscale-28', epochs: 1, batchSize: 4, seed: 0 }),
      (e: Error) => e instanceof RangeError && /mae has no projector/.test(e.message));
  });

  it('trains a small ViT on 1,000 Fashion-MNIST images: the masked-patch reconstruction loss falls to a fifth', async () => {
    // The trial in docs/methods.md: in 20 epochs the loss falls 0.53 -> 0.11 in every setting tried,
    // but no setting (cls, mean or tokens; mask 0.5 or 0.75; raw or normalized pixels) brought kNN
    // accuracy above a random ViT's (0.37-0.52 against 0.52-0.56), so this test asserts the
    // reconstruction, and the kNN figures are logged, not asserted.
    const r = await knnAgainstRandom('mae', {}, { epochs: 20, lr: 1e-3 }, { architecture: 'vit-tiny', settings: { patch: 7, depth: 2, representation: 'cls' } });
    console.log(`      kNN accuracy: trained ${r.trained.toFixed(3)}, random ${r.random.toFixed(3)}, loss ${r.losses[0].toFixed(4)} -> ${r.losses.at(-1)!.toFixed(4)}`);
    assert.ok(r.losses.at(-1)! < 0.3 * r.losses[0], `the reconstruction loss ${r.losses[0]} -> ${r.losses.at(-1)} should fall below 30%`);
    assert.ok(r.losses.every((l, i) => i === 0 || l < r.losses[0]), 'every epoch below the first');
  });
});
