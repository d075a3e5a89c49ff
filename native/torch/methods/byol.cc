// BYOL (Grill et al. 2020): the online network's predictions regress an EMA target network's
// projections of the other view; no negatives.
#include "method.h"

namespace sslmem {

namespace {

namespace F = torch::nn::functional;

// Eq. 2 for one direction: mean of 2 - 2 cos(p, z), z a constant (the target's projection).
torch::Tensor byol_loss(const torch::Tensor& p, const torch::Tensor& z) {
  check_pair(p, z, "BYOL inputs", 1);
  auto pn = F::normalize(p, F::NormalizeFuncOptions().dim(1));
  auto zn = F::normalize(z.detach(), F::NormalizeFuncOptions().dim(1));
  return (2 - 2 * (pn * zn).sum(1)).mean();
}

const bool registered_loss = register_loss({
    "byol",
    {"p", "z"},
    {},
    [](const std::vector<torch::Tensor>& in, const MethodOptionValues&) { return byol_loss(in[0], in[1]); },
});

const bool registered = register_method({
    "byol",
    "BYOL",
    "Grill et al. 2020",
    {4096, 256},  // projector and predictor: Linear(4096)-BN-ReLU-Linear(256)
    false,
    {4096, 256},
    "tauBase",
    1,
    {{"tauBase", 0.996, 0, 1, false, "base momentum of the target network, cosine-increased to 1 (section 3.2)"}},
    [](const StepContext& s, const ViewBatch& v) {
      // Symmetrised: each view's prediction regresses the target's projection of the other.
      auto x1 = v.view(0), x2 = v.view(1);
      auto p1 = s.predict(s.online(x1));
      auto p2 = s.predict(s.online(x2));
      auto t1 = s.target(x1);
      auto t2 = s.target(x2);
      return byol_loss(p1, t2) + byol_loss(p2, t1);
    },
});

}  // namespace

}  // namespace sslmem
