// SSL losses. Shapes: z1, z2, p1, p2 are [B, D] (row b of z1 and z2: two views of one image).
// Every loss returns a scalar mean over the batch, as in the papers' pseudocode.
#pragma once

#include <torch/torch.h>

namespace sslmem {

// NT-Xent (SimCLR, Chen et al. 2020, eq. 1): cosine similarities over the 2B views divided by the
// temperature; each view's positive is its partner, the other 2B-2 views are negatives; mean of
// the 2B cross-entropies. Default temperature 0.5: SimCLR's CIFAR-10 setting (appendix B.9).
torch::Tensor nt_xent_loss(const torch::Tensor& z1, const torch::Tensor& z2, double temperature);

// BYOL's regression loss (Grill et al. 2020, eq. 2) for one direction: mean of 2 - 2 cos(p, z),
// z treated as a constant (the target network's projection). The training loss is symmetrised:
// byol_loss(p1, z2) + byol_loss(p2, z1).
torch::Tensor byol_loss(const torch::Tensor& p, const torch::Tensor& z);

// BYOL's target-network momentum at step k of K (Grill et al. 2020, section 3.2):
// tau = 1 - (1 - tau_base) (cos(pi k / K) + 1) / 2, tau_base = 0.996.
double byol_momentum(double tau_base, int64_t step, int64_t total_steps);

// SimSiam (Chen & He 2021, algorithm 1): D(p, z) = -cos(p, stopgrad(z)), mean over the batch;
// loss = D(p1, z2) / 2 + D(p2, z1) / 2.
torch::Tensor simsiam_loss(const torch::Tensor& p1, const torch::Tensor& p2, const torch::Tensor& z1,
                           const torch::Tensor& z2);

// VICReg (Bardes et al. 2022, algorithm 1), its three terms as named functions:
//   invariance: mean squared error between z1 and z2 (F.mse_loss);
//   variance:   mean over dimensions of relu(gamma - sqrt(var(z) + eps)), var unbiased, gamma 1, eps 1e-4;
//   covariance: sum of squared off-diagonal entries of cov(z) (unbiased), divided by D.
// loss = lambda * inv + mu * (variance(z1) + variance(z2)) / 2 + nu * (covariance(z1) + covariance(z2)),
// lambda = mu = 25, nu = 1.
torch::Tensor vicreg_invariance(const torch::Tensor& z1, const torch::Tensor& z2);
torch::Tensor vicreg_variance(const torch::Tensor& z, double gamma = 1.0, double eps = 1e-4);
torch::Tensor vicreg_covariance(const torch::Tensor& z);

struct VicregWeights {
  double invariance = 25.0;
  double variance = 25.0;
  double covariance = 1.0;
};
torch::Tensor vicreg_loss(const torch::Tensor& z1, const torch::Tensor& z2, const VicregWeights& weights);

}  // namespace sslmem
