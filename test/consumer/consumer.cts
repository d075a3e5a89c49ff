// A user's TypeScript file: type-checked against the published declarations (dist/lib/*.d.ts)
// through the package's own name, as a dependent project would see them.
import { systemInfo, SslmemError, tensor, toNdarray, type SystemInfo, type Tensor } from 'sslmem';

const info: SystemInfo = systemInfo();
const t: Tensor<Float32Array> = tensor(new Float32Array(6), [2, 3]);
const view = toNdarray(t);
const error: SslmemError = new SslmemError('ERR_X', 'message');
export const checked: [string, number, string] = [info.kernels.simd, view.get(1, 2), error.code];

// The README's API example, type-checked as written there (not run: it trains).
import { loadDataset, subset, augment, Encoder, train, score } from 'sslmem';
export async function readmeExample(fIndices: number[], points: number[]): Promise<number> {
  const ds = await loadDataset('fashion-mnist', 'train');
  const views = await augment(ds.images, { pipeline: 'grayscale-28', views: 2, seed: 1 });
  const { encoder: f } = await train({
    images: subset(ds, fIndices).images, encoder: { architecture: 'small-cnn' }, method: 'simclr',
    pipeline: 'grayscale-28', epochs: 100, batchSize: 256, seed: 0,
    onProgress: (p) => console.log(p.epoch, p.loss), signal: AbortSignal.timeout(3_600_000),
  });
  const g = await Encoder.loadTorchScript('g.pt', { inputShape: [1, 28, 28] });
  const r = await score({ f, g, images: subset(ds, points).images, itemIds: points, views: 32, mode: 'anchor', seed: 1 });
  return views.shape[1] + r.lossF[0] + r.lossG[0] + r.m[0] + r.se[0] + r.count[0];
}
