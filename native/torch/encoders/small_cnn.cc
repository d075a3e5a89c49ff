// small-cnn: conv3x3(32w)-BN-ReLU, conv3x3(64w, stride 2)-BN-ReLU, conv3x3(64w, stride 2)-BN-ReLU,
// flatten, linear to 512. Keeps spatial detail: the calibration trial found that global pooling
// erases the memorization signal of small CNNs on Fashion-MNIST (docs/downstream.md).
#include "blocks.h"
#include "encoder.h"

namespace sslmem {

namespace {

namespace nn = torch::nn;

// Output size of a 3x3, padding 1 convolution with the given stride.
int64_t conv_out(int64_t size, int64_t stride) { return (size + 2 - 3) / stride + 1; }

struct SmallCnnImpl : BackboneImpl {
  explicit SmallCnnImpl(const BackboneSpec& spec) {
    const int64_t c1 = scaled_channels(32, spec.width), c2 = scaled_channels(64, spec.width);
    features = nn::Sequential();
    add_conv_bn_relu(features, spec.channels, c1, 1);
    add_conv_bn_relu(features, c1, c2, 2);
    add_conv_bn_relu(features, c2, c2, 2);
    register_module("features", features);
    const int64_t h = conv_out(conv_out(spec.height, 2), 2), w = conv_out(conv_out(spec.width_px, 2), 2);
    fc = register_module("fc", nn::Linear(c2 * h * w, 512));
  }
  torch::Tensor forward_layers(torch::Tensor x, LayerTap& tap) override {
    bool stop = false;
    x = forward_units(features, 3, x, tap, 0, stop);
    if (stop) return x;
    x = fc->forward(x.flatten(1));
    tap.offer(3, x);
    return x;
  }
  int64_t repr_dim() const override { return 512; }
  nn::Sequential features{nullptr};
  nn::Linear fc{nullptr};
};

const bool registered = register_architecture({
    "small-cnn",
    "3 conv3x3-BN-ReLU units (32w, 64w/2, 64w/2), flatten, linear 512",
    4,
    [](double) -> int64_t { return 512; },
    fixed_layers({"conv1", "conv2", "conv3", "fc"}),
    [](const BackboneSpec& spec) -> std::shared_ptr<BackboneImpl> { return std::make_shared<SmallCnnImpl>(spec); },
});

}  // namespace

}  // namespace sslmem
