// Projection and prediction heads: MLPs with batch norm as in the SSL papers.
//   SimCLR (Chen et al. 2020): projector Linear-BN-ReLU-Linear (SimCLR v1 CIFAR setting).
//   BYOL (Grill et al. 2020): projector and predictor Linear(4096)-BN-ReLU-Linear(256).
//   SimSiam (Chen & He 2021): projector 3 x Linear-BN(-ReLU), output BN; predictor bottleneck
//     Linear(512)-BN-ReLU-Linear(2048).
//   VICReg (Bardes et al. 2022): expander 3 x Linear(8192) with BN-ReLU between them.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace sslmem {

// An MLP: dims = {in, h1, ..., out}. Hidden layers are Linear-BN-ReLU (Linear-ReLU, with bias, when
// !hidden_bn); the last is Linear, then BN when `output_bn` (SimSiam's projector).
struct MlpHeadImpl : torch::nn::Module {
  MlpHeadImpl(std::vector<int64_t> dims, bool output_bn, bool hidden_bn = true);
  torch::Tensor forward(torch::Tensor x);
  torch::nn::Sequential layers{nullptr};
  std::vector<int64_t> dims;
  bool output_bn = false;
  bool hidden_bn = true;
};
TORCH_MODULE(MlpHead);

}  // namespace sslmem
