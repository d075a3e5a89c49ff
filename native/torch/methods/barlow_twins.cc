// Barlow Twins (Zbontar et al. 2021): the cross-correlation of the two views' standardized
// projections is pushed to the identity; no negatives, no predictor, no target network.
#include "method.h"

namespace sslmem {

namespace {

// Algorithm 1: z_norm = (z - mean(z)) / std(z) per dimension over the batch (std unbiased, as
// torch.std), c = z1_norm^T z2_norm / B, loss = sum_i (1 - c_ii)^2 + lambda sum_{i != j} c_ij^2.
torch::Tensor barlow_twins_loss(const torch::Tensor& z1, const torch::Tensor& z2, double lambda) {
  check_pair(z1, z2, "Barlow Twins inputs", 2);
  const int64_t b = z1.size(0);
  auto standardize = [](const torch::Tensor& z) { return (z - z.mean(0)) / z.std(0); };
  auto c = torch::mm(standardize(z1).t(), standardize(z2)) / static_cast<double>(b);
  auto diagonal = torch::diagonal(c);
  auto on_diagonal = (1 - diagonal).pow(2).sum();
  auto off_diagonal = c.pow(2).sum() - diagonal.pow(2).sum();
  return on_diagonal + lambda * off_diagonal;
}

// lambda = 0.0051: the authors' released setting (the paper reports 5e-3, section 4).
const MethodOption lambda{"lambda", 0.0051, 0, 1e300, false, "weight of the redundancy-reduction (off-diagonal) term"};

const bool registered_loss = register_loss({
    "barlow-twins",
    {"z1", "z2"},
    {lambda},
    [](const std::vector<torch::Tensor>& in, const MethodOptionValues& o) { return barlow_twins_loss(in[0], in[1], o.at("lambda")); },
});

const bool registered = register_method({
    "barlow-twins",
    "Barlow Twins",
    "Zbontar et al. 2021",
    {8192, 8192, 8192},  // the projector: 3 linear layers of 8192, BN-ReLU between them
    false,
    {},
    "",
    2,
    {lambda},
    [](const StepContext& s, const ViewBatch& v) {
      auto z1 = s.online(v.view(0));
      auto z2 = s.online(v.view(1));
      return barlow_twins_loss(z1, z2, s.option("lambda"));
    },
});

}  // namespace

}  // namespace sslmem
