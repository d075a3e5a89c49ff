// Implements train_networks.h.
#include "train_networks.h"

#include <mutex>

#include "../kernels/errors.h"
#include "lars.h"

namespace sslmem {

Networks build_networks(const TrainConfig& c, const MethodSpec& method, const MethodOptionValues& options, const EncoderState& initial,
                        const torch::Device& device) {
  // Every module is built under the process-wide seed lock: building draws default
  // initialisations from the global generator (even modules whose values are then overwritten by a
  // copy), and a draw outside the lock would shift a concurrent run's seeded heads.
  std::lock_guard<std::recursive_mutex> lock(torch_seed_mutex());
  Networks nets;
  nets.backbone = make_backbone(initial.spec);
  copy_module_state(*initial.net, *nets.backbone);
  if (!method.has_projector() && !(c.projector_dims.empty() && c.predictor_dims.empty())) {
    throw_range("methodOptions.projectorDims", "no head sizes (" + method.name + " has no projector)", "sizes");
  }
  auto projector_dims = c.projector_dims.empty() ? method.projector_dims : c.projector_dims;
  auto predictor_dims = c.predictor_dims.empty() ? method.predictor_dims : c.predictor_dims;
  projector_dims.insert(projector_dims.begin(), initial.repr_dim);
  {
    torch::manual_seed(c.seed);
    if (method.has_projector()) nets.projector = MlpHead(projector_dims, method.projector_output_bn, c.projector_batch_norm);
    if (method.has_predictor()) {
      predictor_dims.insert(predictor_dims.begin(), projector_dims.back());
      if (predictor_dims.back() != projector_dims.back()) {
        throw_range("methodOptions.predictorDims", "an output size equal to the projector's (" + to_text(projector_dims.back()) + ")",
                    to_text(predictor_dims.back()));
      }
      nets.predictor = MlpHead(predictor_dims, false);
    }
    if (method.build_head) nets.head = method.build_head(options, *nets.backbone);
  }
  if (method.has_target()) {
    // The target starts as a copy of the online networks and is never trained by gradient.
    auto freeze = [](torch::nn::Module& module) {
      for (auto& p : module.parameters()) p.requires_grad_(false);
    };
    nets.target_backbone = make_backbone(initial.spec);
    copy_module_state(*nets.backbone, *nets.target_backbone);
    freeze(*nets.target_backbone);
    if (method.has_projector()) {
      nets.target_projector = MlpHead(projector_dims, method.projector_output_bn, c.projector_batch_norm);
      copy_module_state(*nets.projector, *nets.target_projector);
      freeze(*nets.target_projector);
    }
    if (nets.head) {
      nets.target_head = method.build_head(options, *nets.target_backbone);
      copy_module_state(*nets.head, *nets.target_head);
      freeze(*nets.target_head);
    }
  }
  for (auto* module : nets.modules()) module->to(device);
  return nets;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& c, const std::vector<torch::Tensor>& params) {
  auto [decay, no_decay] = split_decay_groups(params);
  using torch::optim::OptimizerParamGroup;
  // Two groups: decayed weights and plain biases/norms; `base` is also the optimizer's defaults.
  auto groups = [&](auto base, auto plain) {
    using Options = decltype(base);
    return std::vector<OptimizerParamGroup>{OptimizerParamGroup(decay, std::make_unique<Options>(base)),
                                            OptimizerParamGroup(no_decay, std::make_unique<Options>(plain))};
  };
  if (c.optimizer == "sgd") {
    auto base = torch::optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay);
    return std::make_unique<torch::optim::SGD>(groups(base, torch::optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(0)), base);
  }
  const std::tuple<double, double> betas{c.betas.at(0), c.betas.at(1)};
  if (c.optimizer == "adam") {
    auto base = torch::optim::AdamOptions(c.lr).betas(betas).weight_decay(c.weight_decay);
    return std::make_unique<torch::optim::Adam>(groups(base, torch::optim::AdamOptions(c.lr).betas(betas).weight_decay(0)), base);
  }
  if (c.optimizer == "adamw") {
    auto base = torch::optim::AdamWOptions(c.lr).betas(betas).weight_decay(c.weight_decay);
    return std::make_unique<torch::optim::AdamW>(groups(base, torch::optim::AdamWOptions(c.lr).betas(betas).weight_decay(0)), base);
  }
  if (c.optimizer == "lars") {
    auto base = LarsOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay);
    return std::make_unique<Lars>(groups(base, LarsOptions(c.lr).momentum(c.momentum).weight_decay(0).adapt(false)), base);
  }
  throw_range("optimizer.name", "one of \"sgd\", \"adam\", \"adamw\", \"lars\"", "\"" + c.optimizer + "\"");
}

void momentum_update(torch::nn::Module& online, torch::nn::Module& target, double tau) {
  torch::NoGradGuard no_grad;
  auto src = online.parameters();
  auto dst = target.parameters();
  for (size_t i = 0; i < dst.size(); ++i) dst[i].mul_(tau).add_(src[i], 1.0 - tau);
}

}  // namespace sslmem
