// MoCo v3 (Chen, Xie & He 2021): queries from the online network's predictor, keys from a momentum
// encoder (backbone + projector, EMA), a symmetric InfoNCE with the batch's other keys as negatives.
#include "method.h"

namespace sslmem {

namespace {

namespace F = torch::nn::functional;

// Algorithm 1's ctr(q, k): logits = q k^T / tau over L2-normalized rows, the positive of query i
// is key i; cross-entropy scaled by 2 tau. q, k: [B, D]; k is a constant (the momentum encoder's).
torch::Tensor moco_v3_contrastive(const torch::Tensor& q, const torch::Tensor& k, double tau) {
  check_pair(q, k, "MoCo v3 inputs", 2);
  auto qn = F::normalize(q, F::NormalizeFuncOptions().dim(1));
  auto kn = F::normalize(k.detach(), F::NormalizeFuncOptions().dim(1));
  auto logits = torch::mm(qn, kn.t()) / tau;
  auto labels = torch::arange(q.size(0), torch::dtype(torch::kLong).device(q.device()));
  return F::cross_entropy(logits, labels) * (2 * tau);
}

// tau = 1.0: the released ResNet setting (0.2 is the ViT one); m = 0.99, cosine-increased to 1.
const MethodOption temperature{"temperature", 1.0, 0, 1e300, true, "InfoNCE temperature (1.0 for ResNets, 0.2 for ViTs)"};
const MethodOption momentum{"momentum", 0.99, 0, 1, false, "base momentum of the key encoder, cosine-increased to 1"};

const bool registered_loss = register_loss({
    "moco-v3",
    {"q", "k"},
    {temperature},
    [](const std::vector<torch::Tensor>& in, const MethodOptionValues& o) { return moco_v3_contrastive(in[0], in[1], o.at("temperature")); },
});

const bool registered = register_method({
    "moco-v3",
    "MoCo v3",
    "Chen, Xie & He 2021",
    {4096, 4096, 256},  // 3-layer projector with BN on the output
    true,
    {4096, 256},  // 2-layer predictor
    "momentum",
    2,
    {temperature, momentum},
    [](const StepContext& s, const ViewBatch& v) {
      auto x1 = v.view(0), x2 = v.view(1);
      auto q1 = s.predict(s.online(x1));
      auto q2 = s.predict(s.online(x2));
      auto k1 = s.target(x1);
      auto k2 = s.target(x2);
      return moco_v3_contrastive(q1, k2, s.option("temperature")) + moco_v3_contrastive(q2, k1, s.option("temperature"));
    },
});

}  // namespace

}  // namespace sslmem
