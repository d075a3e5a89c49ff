// Implements losses.h.
#include "losses.h"

#include <cmath>
#include <limits>

#include "../kernels/errors.h"

namespace sslmem {

namespace F = torch::nn::functional;

namespace {

void check_pair(const torch::Tensor& a, const torch::Tensor& b, const char* what, int64_t min_batch) {
  if (a.dim() != 2 || a.sizes() != b.sizes()) {
    throw_range(what, "two [B, D] tensors of the same shape", to_text(a.sizes()) + " and " + to_text(b.sizes()));
  }
  if (a.size(0) < min_batch) {
    throw_range(std::string(what) + " batch size", "at least " + to_text(min_batch), to_text(a.size(0)));
  }
}

}  // namespace

torch::Tensor nt_xent_loss(const torch::Tensor& z1, const torch::Tensor& z2, double temperature) {
  check_pair(z1, z2, "NT-Xent inputs", 2);
  if (!(temperature > 0)) throw_range("temperature", "a number > 0", to_text(temperature));
  const int64_t b = z1.size(0);
  auto z = F::normalize(torch::cat({z1, z2}, 0), F::NormalizeFuncOptions().dim(1));
  auto logits = torch::mm(z, z.t()) / temperature;
  // A view is not its own negative: remove the diagonal from the softmax.
  logits = logits.masked_fill(torch::eye(2 * b, torch::dtype(torch::kBool).device(z.device())),
                              -std::numeric_limits<float>::infinity());
  auto targets = torch::cat({torch::arange(b, 2 * b), torch::arange(0, b)}).to(z.device());
  return F::cross_entropy(logits, targets);
}

torch::Tensor byol_loss(const torch::Tensor& p, const torch::Tensor& z) {
  check_pair(p, z, "BYOL inputs", 1);
  auto pn = F::normalize(p, F::NormalizeFuncOptions().dim(1));
  auto zn = F::normalize(z.detach(), F::NormalizeFuncOptions().dim(1));
  return (2 - 2 * (pn * zn).sum(1)).mean();
}

double byol_momentum(double tau_base, int64_t step, int64_t total_steps) {
  if (total_steps <= 0) return tau_base;
  const double pi = 3.14159265358979323846;
  return 1.0 - (1.0 - tau_base) * (std::cos(pi * static_cast<double>(step) / static_cast<double>(total_steps)) + 1.0) / 2.0;
}

torch::Tensor simsiam_loss(const torch::Tensor& p1, const torch::Tensor& p2, const torch::Tensor& z1,
                           const torch::Tensor& z2) {
  check_pair(p1, z2, "SimSiam inputs", 1);
  check_pair(p2, z1, "SimSiam inputs", 1);
  auto d = [](const torch::Tensor& p, const torch::Tensor& z) {
    return -F::cosine_similarity(p, z.detach(), F::CosineSimilarityFuncOptions().dim(1)).mean();
  };
  return d(p1, z2) / 2 + d(p2, z1) / 2;
}

torch::Tensor vicreg_invariance(const torch::Tensor& z1, const torch::Tensor& z2) { return F::mse_loss(z1, z2); }

torch::Tensor vicreg_variance(const torch::Tensor& z, double gamma, double eps) {
  auto std = torch::sqrt(z.var(0) + eps);
  return torch::relu(gamma - std).mean();
}

torch::Tensor vicreg_covariance(const torch::Tensor& z) {
  const int64_t n = z.size(0), d = z.size(1);
  auto centred = z - z.mean(0);
  auto cov = torch::mm(centred.t(), centred) / static_cast<double>(n - 1);
  auto off_diagonal = cov - torch::diag(torch::diagonal(cov));
  return off_diagonal.pow(2).sum() / static_cast<double>(d);
}

torch::Tensor vicreg_loss(const torch::Tensor& z1, const torch::Tensor& z2, const VicregWeights& w) {
  check_pair(z1, z2, "VICReg inputs", 2);
  return w.invariance * vicreg_invariance(z1, z2) +
         w.variance * (vicreg_variance(z1) + vicreg_variance(z2)) / 2 +
         w.covariance * (vicreg_covariance(z1) + vicreg_covariance(z2));
}

}  // namespace sslmem
