import { seededPermutation, uniform } from '../../lib/score/random';
import type { ScoringEncoder } from '../../lib/score';
import type { Float32Tensor } from '../../lib/tensor';

/**
 * A small deterministic encoder in plain JS for testing the scoring pipeline without the torch
 * tier: z = tanh(W x) with W [D, C*H*W] drawn from a seeded stream. Each row depends only on its
 * own view, as a real encoder in inference mode.
 */
export function jsEncoder(seed: number, inputShape: [number, number, number] = [1, 28, 28], dim = 16, normalize = { mean: [0.5], std: [0.5] }): ScoringEncoder & { calls: number } {
  const k = inputShape[0] * inputShape[1] * inputShape[2];
  const w = new Float64Array(dim * k);
  for (let i = 0; i < w.length; i++) w[i] = (uniform(seed, i) - 0.5) / Math.sqrt(k) * 4;
  void seededPermutation;
  const encoder = {
    calls: 0,
    description: { architecture: 'js-linear-tanh', inputShape, reprDim: dim, epoch: 0, normalize },
    async embedViews(views: Float32Tensor): Promise<Float32Tensor> {
      encoder.calls++;
      const m = views.shape[0];
      const out = new Float32Array(m * dim);
      for (let r = 0; r < m; r++) {
        const x = views.data.subarray(r * k, (r + 1) * k);
        for (let d = 0; d < dim; d++) {
          let s = 0;
          const row = d * k;
          for (let j = 0; j < k; j++) s += w[row + j] * x[j];
          out[r * dim + d] = Math.tanh(s);
        }
      }
      return { data: out, shape: [m, dim] };
    },
  };
  return encoder;
}
