// resnet18: He et al. 2016 with the CIFAR stem used by SimCLR's CIFAR experiments (Chen et al.
// 2020, appendix B.9): 3x3 stride-1 first conv, no max-pool; global average pooling: 512w-d.
#include "blocks.h"
#include "encoder.h"

namespace sslmem {

namespace {

namespace nn = torch::nn;

// He et al. 2016's basic block (two 3x3 convs, identity or 1x1-conv shortcut).
struct BasicBlockImpl : nn::Module {
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride) {
    conv1 = register_module("conv1", conv3x3(in, out, stride));
    bn1 = register_module("bn1", nn::BatchNorm2d(out));
    conv2 = register_module("conv2", conv3x3(out, out, 1));
    bn2 = register_module("bn2", nn::BatchNorm2d(out));
    if (stride != 1 || in != out) {
      shortcut = nn::Sequential();
      shortcut->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)));
      shortcut->push_back(nn::BatchNorm2d(out));
      register_module("shortcut", shortcut);
    }
  }
  torch::Tensor forward(torch::Tensor x) {
    auto y = torch::relu(bn1->forward(conv1->forward(x)));
    y = bn2->forward(conv2->forward(y));
    return torch::relu(y + (shortcut.is_empty() ? x : shortcut->forward(x)));
  }
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  nn::Sequential shortcut{nullptr};
};
TORCH_MODULE(BasicBlock);

struct ResNet18Impl : BackboneImpl {
  explicit ResNet18Impl(const BackboneSpec& spec) {
    const int64_t base = scaled_channels(64, spec.width);
    stem = register_module("stem", conv_bn_relu(spec.channels, base, 1));
    int64_t in = base;
    const int64_t strides[4] = {1, 2, 2, 2};
    for (int i = 0; i < 4; ++i) {
      const int64_t out = base << i;
      layers->push_back(BasicBlock(in, out, strides[i]));
      layers->push_back(BasicBlock(out, out, 1));
      in = out;
    }
    register_module("layers", layers);
    dim_ = in;
  }
  torch::Tensor forward_layers(torch::Tensor x, LayerTap& tap) override {
    x = stem->forward(x);
    if (tap.offer(0, x)) return x;
    bool stop = false;
    x = forward_units(layers, 2, x, tap, 1, stop);  // layer1..layer4: two blocks each
    if (stop) return x;
    x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
    tap.offer(5, x);
    return x;
  }
  int64_t repr_dim() const override { return dim_; }
  bool takes_input_size(int64_t h, int64_t w) const override { return h >= 8 && w >= 8; }  // global pooling
  nn::Sequential stem{nullptr};
  nn::Sequential layers;
  int64_t dim_ = 0;
};

const bool registered = register_architecture({
    "resnet18",
    "ResNet-18 (He et al. 2016) with the CIFAR stem (3x3 stride-1 conv, no max-pool), global average pooling",
    8,
    [](double width) -> int64_t { return scaled_channels(64, width) << 3; },
    fixed_layers({"stem", "layer1", "layer2", "layer3", "layer4", "pool"}),
    [](const BackboneSpec& spec) -> std::shared_ptr<BackboneImpl> { return std::make_shared<ResNet18Impl>(spec); },
});

}  // namespace

}  // namespace sslmem
