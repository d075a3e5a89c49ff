// resnet9: Myrtle's ResNet-9 (Page 2018, DAWNBench CIFAR-10): prep 64w, layer1 128w + residual,
// layer2 256w, layer3 512w + residual, each stage max-pooled; global average pooling (instead of
// the original global max-pool, like the other backbones here): 512w-d.
#include "blocks.h"
#include "encoder.h"

namespace sslmem {

namespace {

namespace nn = torch::nn;

struct ResNet9Impl : BackboneImpl {
  explicit ResNet9Impl(const BackboneSpec& spec) {
    const int64_t c1 = scaled_channels(64, spec.width), c2 = 2 * c1, c3 = 4 * c1, c4 = 8 * c1;
    prep = register_module("prep", conv_bn_relu(spec.channels, c1, 1));
    auto stage = [](int64_t in, int64_t out) {
      auto seq = conv_bn_relu(in, out, 1);
      seq->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
      return seq;
    };
    auto residual = [](int64_t c) {
      auto seq = conv_bn_relu(c, c, 1);
      add_conv_bn_relu(seq, c, c, 1);
      return seq;
    };
    layer1 = register_module("layer1", stage(c1, c2));
    res1 = register_module("res1", residual(c2));
    layer2 = register_module("layer2", stage(c2, c3));
    layer3 = register_module("layer3", stage(c3, c4));
    res3 = register_module("res3", residual(c4));
    dim_ = c4;
  }
  torch::Tensor forward_layers(torch::Tensor x, LayerTap& tap) override {
    x = prep->forward(x);
    if (tap.offer(0, x)) return x;
    x = layer1->forward(x);
    if (tap.offer(1, x)) return x;
    x = x + res1->forward(x);
    if (tap.offer(2, x)) return x;
    x = layer2->forward(x);
    if (tap.offer(3, x)) return x;
    x = layer3->forward(x);
    if (tap.offer(4, x)) return x;
    x = x + res3->forward(x);
    if (tap.offer(5, x)) return x;
    x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
    tap.offer(6, x);
    return x;
  }
  int64_t repr_dim() const override { return dim_; }
  bool takes_input_size(int64_t h, int64_t w) const override { return h >= 8 && w >= 8; }  // three 2x2 max-pools, then global pooling
  nn::Sequential prep{nullptr}, layer1{nullptr}, res1{nullptr}, layer2{nullptr}, layer3{nullptr}, res3{nullptr};
  int64_t dim_ = 0;
};

const bool registered = register_architecture({
    "resnet9",
    "Myrtle ResNet-9 (Page 2018): prep, 3 max-pooled stages, residual pairs after the first and last, global average pooling",
    8,  // three 2x2 max-pools
    [](double width) -> int64_t { return 8 * scaled_channels(64, width); },
    fixed_layers({"prep", "layer1", "res1", "layer2", "layer3", "res3", "pool"}),
    [](const BackboneSpec& spec) -> std::shared_ptr<BackboneImpl> { return std::make_shared<ResNet9Impl>(spec); },
});

}  // namespace

}  // namespace sslmem
