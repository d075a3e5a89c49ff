// pooled-cnn: three conv3x3-BN-ReLU-maxpool(2) stages (32w, 64w, 128w), flatten, linear to 512, BN,
// ReLU; the representation is the post-activation 512-d vector. The calibration (docs/scoring.md)
// found that this encoder memorizes measurably at small budgets where small-cnn does not.
#include "blocks.h"
#include "encoder.h"

namespace sslmem {

namespace {

namespace nn = torch::nn;

struct PooledCnnImpl : BackboneImpl {
  explicit PooledCnnImpl(const BackboneSpec& spec) {
    const int64_t c[3] = {scaled_channels(32, spec.width), scaled_channels(64, spec.width), scaled_channels(128, spec.width)};
    features = nn::Sequential();
    int64_t in = spec.channels, h = spec.height, w = spec.width_px;
    for (int64_t out : c) {
      add_conv_bn_relu(features, in, out, 1);
      features->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
      in = out;
      h /= 2;
      w /= 2;
    }
    register_module("features", features);
    fc = register_module("fc", nn::Linear(in * h * w, 512));
    bn = register_module("bn", nn::BatchNorm1d(512));
  }
  torch::Tensor forward_layers(torch::Tensor x, LayerTap& tap) override {
    bool stop = false;
    x = forward_units(features, 4, x, tap, 0, stop);
    if (stop) return x;
    x = torch::relu(bn->forward(fc->forward(x.flatten(1))));
    tap.offer(3, x);
    return x;
  }
  int64_t repr_dim() const override { return 512; }
  nn::Sequential features{nullptr};
  nn::Linear fc{nullptr};
  nn::BatchNorm1d bn{nullptr};
};

const bool registered = register_architecture({
    "pooled-cnn",
    "3 conv3x3-BN-ReLU-maxpool stages (32w, 64w, 128w), flatten, linear 512, BN, ReLU",
    8,  // three 2x2 max-pools
    [](double) -> int64_t { return 512; },
    fixed_layers({"stage1", "stage2", "stage3", "fc"}),
    [](const BackboneSpec& spec) -> std::shared_ptr<BackboneImpl> { return std::make_shared<PooledCnnImpl>(spec); },
});

}  // namespace

}  // namespace sslmem
