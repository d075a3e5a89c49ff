// Implements Networks and StepContext::target of method.h.
#include "method.h"

#include <ATen/CPUGeneratorImpl.h>

namespace sslmem {

std::vector<torch::Tensor> Networks::trainable() const {
  std::vector<torch::Tensor> out = backbone->parameters();
  auto add = [&out](const torch::nn::Module& module) {
    for (auto& p : module.parameters()) out.push_back(p);
  };
  if (!projector.is_empty()) add(*projector);
  if (!predictor.is_empty()) add(*predictor);
  if (head) add(*head);
  return out;
}

std::vector<torch::nn::Module*> Networks::modules() {
  std::vector<torch::nn::Module*> out{backbone.get()};
  if (!projector.is_empty()) out.push_back(projector.ptr().get());
  if (!predictor.is_empty()) out.push_back(predictor.ptr().get());
  if (target_backbone) {
    out.push_back(target_backbone.get());
    out.push_back(target_projector.ptr().get());
  }
  if (head) out.push_back(head.get());
  return out;
}

void Networks::set_train(bool on) {
  for (auto* module : modules()) module->train(on);
}

torch::Tensor StepContext::uniform_per_item(int64_t count, uint64_t stream, const torch::Device& device) const {
  std::vector<torch::Tensor> rows;
  rows.reserve(static_cast<size_t>(batch));
  for (int64_t i = 0; i < batch; ++i) {
    // splitmix64-style mixing of the four keys into one generator seed.
    uint64_t h = seed * 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(epoch) + 0xD1B54A32D192ED03ull);
    h = (h ^ (static_cast<uint64_t>(keys[i]) * 0xBF58476D1CE4E5B9ull)) * 0x94D049BB133111EBull;
    h ^= (stream + 0x632BE59BD9B4E019ull) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 31;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(h);
    rows.push_back(torch::rand({count}, generator, torch::kFloat32));
  }
  return torch::stack(rows).to(device);
}

torch::Tensor StepContext::target(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  return nets.target_projector->forward(nets.target_backbone->forward(x));
}

}  // namespace sslmem
