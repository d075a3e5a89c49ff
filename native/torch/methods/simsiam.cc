// SimSiam (Chen & He 2021): a predictor and a stop-gradient, no negatives and no target network.
#include "method.h"

namespace sslmem {

namespace {

namespace F = torch::nn::functional;

// Algorithm 1: D(p, z) = -cos(p, stopgrad(z)), mean over the batch; loss = D(p1, z2) / 2 + D(p2, z1) / 2.
torch::Tensor simsiam_loss(const torch::Tensor& p1, const torch::Tensor& p2, const torch::Tensor& z1, const torch::Tensor& z2) {
  check_pair(p1, z2, "SimSiam inputs", 1);
  check_pair(p2, z1, "SimSiam inputs", 1);
  auto d = [](const torch::Tensor& p, const torch::Tensor& z) {
    return -F::cosine_similarity(p, z.detach(), F::CosineSimilarityFuncOptions().dim(1)).mean();
  };
  return d(p1, z2) / 2 + d(p2, z1) / 2;
}

const bool registered_loss = register_loss({
    "simsiam",
    {"p1", "p2", "z1", "z2"},
    {},
    [](const std::vector<torch::Tensor>& in, const MethodOptionValues&) { return simsiam_loss(in[0], in[1], in[2], in[3]); },
});

const bool registered = register_method({
    "simsiam",
    "SimSiam",
    "Chen & He 2021",
    {2048, 2048, 2048},  // 3 x Linear-BN(-ReLU), BN on the output
    true,
    {512, 2048},  // the bottleneck predictor
    "",
    1,
    {},
    [](const StepContext& s, const ViewBatch& v) {
      auto z1 = s.online(v.view(0));
      auto z2 = s.online(v.view(1));
      return simsiam_loss(s.predict(z1), s.predict(z2), z1, z2);
    },
});

}  // namespace

}  // namespace sslmem
