// Implements Networks and StepContext::target of method.h.
#include "method.h"

namespace sslmem {

std::vector<torch::Tensor> Networks::trainable() const {
  std::vector<torch::Tensor> out = backbone->parameters();
  for (auto& p : projector->parameters()) out.push_back(p);
  if (!predictor.is_empty()) {
    for (auto& p : predictor->parameters()) out.push_back(p);
  }
  return out;
}

std::vector<torch::nn::Module*> Networks::modules() {
  std::vector<torch::nn::Module*> out{backbone.get(), projector.ptr().get()};
  if (!predictor.is_empty()) out.push_back(predictor.ptr().get());
  if (target_backbone) {
    out.push_back(target_backbone.get());
    out.push_back(target_projector.ptr().get());
  }
  return out;
}

void Networks::set_train(bool on) {
  for (auto* module : modules()) module->train(on);
}

torch::Tensor StepContext::target(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  return nets.target_projector->forward(nets.target_backbone->forward(x));
}

}  // namespace sslmem
