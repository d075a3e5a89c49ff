// Implements lars.h and schedule.h.
#include <cmath>

#include "lars.h"
#include "schedule.h"

namespace sslmem {

double cosine_warmup_lr(double base_lr, int64_t step, int64_t warmup_steps, int64_t total_steps) {
  if (step < warmup_steps) return base_lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  const int64_t decay_steps = total_steps - warmup_steps;
  if (decay_steps <= 0) return base_lr;
  const double pi = 3.14159265358979323846;
  const double progress = std::min(1.0, static_cast<double>(step - warmup_steps) / static_cast<double>(decay_steps));
  return base_lr * (1.0 + std::cos(pi * progress)) / 2.0;
}

double byol_momentum(double tau_base, int64_t step, int64_t total_steps) {
  if (total_steps <= 0) return tau_base;
  const double pi = 3.14159265358979323846;
  return 1.0 - (1.0 - tau_base) * (std::cos(pi * static_cast<double>(step) / static_cast<double>(total_steps)) + 1.0) / 2.0;
}

void LarsOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, momentum);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, trust_coefficient);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, adapt);
}

void LarsOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(trust_coefficient);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(adapt);
}

void LarsParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, momentum_buffer);
}

void LarsParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum_buffer);
}

Lars::Lars(std::vector<torch::optim::OptimizerParamGroup> groups, LarsOptions defaults)
    : torch::optim::Optimizer(std::move(groups), std::make_unique<LarsOptions>(defaults)) {
  TORCH_CHECK(defaults.lr() >= 0, "Invalid learning rate: ", defaults.lr());
}

torch::Tensor Lars::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    torch::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    auto& options = static_cast<LarsOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto g = p.grad();
      if (options.adapt()) {
        if (options.weight_decay() != 0) g = g.add(p, options.weight_decay());
        auto w_norm = torch::norm(p), g_norm = torch::norm(g);
        auto one = torch::ones_like(w_norm);
        auto q = torch::where(w_norm > 0, torch::where(g_norm > 0, options.trust_coefficient() * w_norm / g_norm, one), one);
        g = g.mul(q);
      }
      auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
      auto it = state_.find(key);
      torch::Tensor buf;
      if (it == state_.end()) {
        auto state = std::make_unique<LarsParamState>();
        buf = g.clone().detach();
        state->momentum_buffer(buf);
        state_[key] = std::move(state);
      } else {
        buf = static_cast<LarsParamState&>(*it->second).momentum_buffer();
        buf.mul_(options.momentum()).add_(g);
      }
      p.add_(buf, -options.lr());
    }
  }
  return loss;
}

void Lars::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<LarsParamState, LarsOptions>(archive, *this);
}

void Lars::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<LarsParamState, LarsOptions>(archive, *this);
}

std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> split_decay_groups(
    const std::vector<torch::Tensor>& params) {
  std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> out;
  for (const auto& p : params) (p.dim() <= 1 ? out.second : out.first).push_back(p);
  return out;
}

}  // namespace sslmem
