// The building blocks the registered CNNs share.
#pragma once

#include <torch/torch.h>

#include "encoder.h"

namespace sslmem {

inline torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

// Appends conv3x3-BN-ReLU, the unit every CNN here is built from (libtorch cannot nest
// Sequentials, so stages are flat lists of these units).
inline void add_conv_bn_relu(torch::nn::Sequential& seq, int64_t in, int64_t out, int64_t stride) {
  seq->push_back(conv3x3(in, out, stride));
  seq->push_back(torch::nn::BatchNorm2d(out));
  seq->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
}

inline torch::nn::Sequential conv_bn_relu(int64_t in, int64_t out, int64_t stride) {
  torch::nn::Sequential seq;
  add_conv_bn_relu(seq, in, out, stride);
  return seq;
}

// Runs `seq` in units of `unit` modules (a stage of conv-BN-ReLU units, say), offering each unit's
// output to `tap` as layers first, first + 1, ...; sets `stop` and returns as soon as the tap has
// every layer it wants. The same module calls as seq->forward(x), so the result is identical.
inline torch::Tensor forward_units(torch::nn::Sequential& seq, size_t unit, torch::Tensor x, LayerTap& tap, int64_t first, bool& stop) {
  size_t i = 0;
  for (auto& module : *seq) {
    x = module.forward(x);
    if (++i % unit == 0 && tap.offer(first + static_cast<int64_t>(i / unit - 1), x)) {
      stop = true;
      return x;
    }
  }
  return x;
}

}  // namespace sslmem
