// LARS: layer-wise adaptive rate scaling (You, Gitman & Ginsburg 2017, "Large Batch Training of
// Convolutional Networks"), in the form used by BYOL, Barlow Twins and VICReg:
//   g   = grad + weight_decay * w
//   q   = eta * ||w|| / ||g||   when both norms are > 0, else 1   (eta: trust coefficient, 0.001)
//   buf = momentum * buf + q * g
//   w  -= lr * buf
// A parameter group with `adapt(false)` skips both the trust ratio and weight decay: biases and
// normalisation parameters go there (split_decay_groups), as in those papers.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace sslmem {

struct LarsOptions : public torch::optim::OptimizerCloneableOptions<LarsOptions> {
  LarsOptions(double lr = 0.1) : lr_(lr) {}
  TORCH_ARG(double, lr);
  TORCH_ARG(double, momentum) = 0.9;
  TORCH_ARG(double, weight_decay) = 0;
  TORCH_ARG(double, trust_coefficient) = 0.001;
  TORCH_ARG(bool, adapt) = true;

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override { return lr(); }
  void set_lr(const double lr) override { this->lr(lr); }
};

struct LarsParamState : public torch::optim::OptimizerCloneableParamState<LarsParamState> {
  TORCH_ARG(torch::Tensor, momentum_buffer);

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

class Lars : public torch::optim::Optimizer {
 public:
  Lars(std::vector<torch::optim::OptimizerParamGroup> groups, LarsOptions defaults);
  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

// Splits parameters into {weights: decayed and adapted} and {biases and norm parameters (any
// parameter of rank <= 1): no decay, no adaptation}. Returns the two lists in that order.
std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> split_decay_groups(
    const std::vector<torch::Tensor>& params);

}  // namespace sslmem
