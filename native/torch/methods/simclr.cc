// SimCLR (Chen et al. 2020): NT-Xent over the projections of two views, negatives from the batch.
#include <limits>

#include "method.h"

namespace sslmem {

namespace {

namespace F = torch::nn::functional;

// NT-Xent (eq. 1): cosine similarities over the 2B views divided by the temperature; each view's
// positive is its partner, the other 2B-2 views are negatives; mean of the 2B cross-entropies.
// z1, z2: [B, D], row b of each a view of image b.
torch::Tensor nt_xent_loss(const torch::Tensor& z1, const torch::Tensor& z2, double temperature) {
  check_pair(z1, z2, "NT-Xent inputs", 2);
  const int64_t b = z1.size(0);
  auto z = F::normalize(torch::cat({z1, z2}, 0), F::NormalizeFuncOptions().dim(1));
  auto logits = torch::mm(z, z.t()) / temperature;
  // A view is not its own negative: remove the diagonal from the softmax.
  logits = logits.masked_fill(torch::eye(2 * b, torch::dtype(torch::kBool).device(z.device())), -std::numeric_limits<float>::infinity());
  auto targets = torch::cat({torch::arange(b, 2 * b), torch::arange(0, b)}).to(z.device());
  return F::cross_entropy(logits, targets);
}

// Default 0.5: SimCLR's CIFAR-10 setting (appendix B.9).
const MethodOption temperature{"temperature", 0.5, 0, 1e300, true, "NT-Xent temperature (SimCLR's CIFAR-10 setting, appendix B.9)"};

const bool registered_loss = register_loss({
    "nt-xent",
    {"z1", "z2"},
    {temperature},
    [](const std::vector<torch::Tensor>& in, const MethodOptionValues& o) { return nt_xent_loss(in[0], in[1], o.at("temperature")); },
});

const bool registered = register_method({
    "simclr",
    "SimCLR",
    "Chen et al. 2020",
    {512, 128},  // the CIFAR setting: 2-layer MLP, 128-d output
    false,
    {},
    "",
    2,
    {temperature},
    [](const StepContext& s, const ViewBatch& v) {
      auto z1 = s.online(v.view(0));
      auto z2 = s.online(v.view(1));
      return nt_xent_loss(z1, z2, s.option("temperature"));
    },
});

}  // namespace

}  // namespace sslmem
