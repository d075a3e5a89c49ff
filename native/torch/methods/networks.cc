// Implements Networks and StepContext::target of method.h.
#include "method.h"

#include "../../kernels/philox.h"

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
  if (head) out.push_back(head.get());
  if (target_backbone) out.push_back(target_backbone.get());
  if (!target_projector.is_empty()) out.push_back(target_projector.ptr().get());
  if (target_head) out.push_back(target_head.get());
  return out;
}

void Networks::set_train(bool on) {
  for (auto* module : modules()) module->train(on);
}

torch::Tensor StepContext::uniform_per_item(int64_t count, uint64_t stream, const torch::Device& device) const {
  auto out = torch::empty({batch, count}, torch::kFloat32);
  float* values = out.data_ptr<float>();
  for (int64_t i = 0; i < batch; ++i) {
    // The augmentation kernel's keyed streams (philox.h), with purposes of their own: 0x80 + stream
    // never meets an augmentation operation's (1-6), so a step's draws never repeat a view's.
    PhiloxStream rng(seed, static_cast<uint64_t>(epoch), static_cast<uint64_t>(keys[i]), 0, 0x80u + static_cast<uint32_t>(stream));
    // 24 random bits: every value a float in [0, 1) (a rounded double could reach 1).
    for (int64_t j = 0; j < count; ++j) values[i * count + j] = static_cast<float>(rng.next_u32() >> 8) * (1.0f / 16777216.0f);
  }
  return out.to(device);
}

torch::Tensor StepContext::target(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  return nets.target_projector->forward(nets.target_backbone->forward(x));
}

}  // namespace sslmem
