// Training checkpoints: an encoder file (checkpoint.h) with a "training" entry holding the method,
// batch size and image count it belongs to, the epoch, the loss history, every head (and a method's
// own module), the momentum target and the optimizer state, so that resuming continues the run exactly (on CPU).
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "encoder_state.h"
#include "methods/method.h"
#include "train_loop.h"

namespace sslmem {

// Writes `state` (the backbone at `epoch` epochs) with the training entry to `path`, atomically.
void save_training_checkpoint(const TrainConfig& config, const EncoderState& state, Networks& nets, torch::optim::Optimizer& optimizer,
                              int64_t epoch, const std::vector<double>& losses, const std::string& path, const torch::Device& device);

// Restores networks and optimizer from config.resume; returns the epochs done and fills `losses`.
// ERR_SSLMEM_CORRUPT_FILE when the file holds no training entry, ERR_SSLMEM_MISMATCH when it
// belongs to another run (method, batch size or image count).
int64_t resume_training(const TrainConfig& config, Networks& nets, torch::optim::Optimizer& optimizer, std::vector<double>& losses);

}  // namespace sslmem
