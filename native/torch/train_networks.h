// Building what one training run optimises: the method's networks (from its registry entry and
// the user's head sizes), the optimizer, and the momentum target's update.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "encoder_state.h"
#include "methods/method.h"
#include "train_loop.h"

namespace sslmem {

// Backbone copied from `initial`; heads, the method's own module and the momentum target
// initialised from config.seed. RangeError when the head sizes do not fit the method (predictor
// output != projector output, sizes for a method without a projector).
Networks build_networks(const TrainConfig& config, const MethodSpec& method, const MethodOptionValues& options, const EncoderState& initial,
                        const torch::Device& device);

// The optimizer named by config.optimizer over `params` (Adam and AdamW with config.betas): biases
// and norm parameters (rank <= 1) get no weight decay (and no LARS adaptation).
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& config, const std::vector<torch::Tensor>& params);

// target <- tau * target + (1 - tau) * online, parameters only (Grill et al. 2020, eq. 1).
void momentum_update(torch::nn::Module& online, torch::nn::Module& target, double tau);

}  // namespace sslmem
