// Backbones whose output is the representation SSLMem aligns (before any projection head):
//   small-cnn  conv3x3(32w)-BN-ReLU, conv3x3(64w, stride 2)-BN-ReLU, conv3x3(64w, stride 2)-BN-ReLU,
//              flatten, linear to 512. Keeps spatial detail: the calibration trial found that global
//              pooling erases the memorization signal of small CNNs on Fashion-MNIST.
//   pooled-cnn three conv3x3-BN-ReLU-maxpool stages (32w, 64w, 128w), flatten, linear to 512, BN,
//              ReLU. The encoder the calibration found to memorize measurably (docs/scoring.md).
//   resnet9    the DAWNBench / Myrtle ResNet-9 (prep 64w, layer1 128w + residual, layer2 256w,
//              layer3 512w + residual), global average pooling: 512w-d.
//   resnet18   He et al. 2016 with the CIFAR stem used by SimCLR's CIFAR experiments (Chen et al.
//              2020, appendix B.9): 3x3 stride-1 first conv, no max-pool; global average pooling: 512w-d.
// Width w scales every channel count (w = 1 is the published model).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace sslmem {

// What identifies a backbone's shape: enough to rebuild it before loading weights.
struct BackboneSpec {
  std::string architecture;  // "small-cnn" | "pooled-cnn" | "resnet9" | "resnet18"
  int64_t channels = 1;
  int64_t height = 28;
  int64_t width_px = 28;
  double width = 1.0;  // channel multiplier
};

// A backbone: images [B, C, H, W] (float, normalized) -> representations [B, D].
struct BackboneImpl : torch::nn::Module {
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  virtual int64_t repr_dim() const = 0;
  ~BackboneImpl() override = default;
};

// Validates the spec (RangeError naming the field) and builds the backbone with libtorch's
// default initialisation drawn from the current torch generator (seed it first).
std::shared_ptr<BackboneImpl> make_backbone(const BackboneSpec& spec);

// Channel count after scaling by width (at least 1).
int64_t scaled_channels(int64_t base, double width);

// Copies every parameter and buffer of `from` into `to` (same architecture), without autograd.
void copy_module_state(torch::nn::Module& from, torch::nn::Module& to);

}  // namespace sslmem
