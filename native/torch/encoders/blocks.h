// The building blocks the registered CNNs share.
#pragma once

#include <torch/torch.h>

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

}  // namespace sslmem
