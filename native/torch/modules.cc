// Implements encoders.h and heads.h (one translation unit: each libtorch TU costs ~40 s to build).
#include <cmath>

#include "../kernels/errors.h"
#include "encoders.h"
#include "heads.h"

namespace sslmem {

namespace nn = torch::nn;

int64_t scaled_channels(int64_t base, double width) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::llround(static_cast<double>(base) * width)));
}

namespace {

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

// Appends conv3x3-BN-ReLU, the unit every backbone here is built from (libtorch cannot nest
// Sequentials, so stages are flat lists of these units).
void add_conv_bn_relu(nn::Sequential& seq, int64_t in, int64_t out, int64_t stride) {
  seq->push_back(conv3x3(in, out, stride));
  seq->push_back(nn::BatchNorm2d(out));
  seq->push_back(nn::ReLU(nn::ReLUOptions(true)));
}

nn::Sequential conv_bn_relu(int64_t in, int64_t out, int64_t stride) {
  nn::Sequential seq;
  add_conv_bn_relu(seq, in, out, stride);
  return seq;
}

// Output size of a 3x3, padding 1 convolution with the given stride.
int64_t conv_out(int64_t size, int64_t stride) { return (size + 2 - 3) / stride + 1; }

struct SmallCnnImpl : BackboneImpl {
  SmallCnnImpl(const BackboneSpec& spec) {
    const int64_t c1 = scaled_channels(32, spec.width), c2 = scaled_channels(64, spec.width);
    features = nn::Sequential();
    add_conv_bn_relu(features, spec.channels, c1, 1);
    add_conv_bn_relu(features, c1, c2, 2);
    add_conv_bn_relu(features, c2, c2, 2);
    register_module("features", features);
    const int64_t h = conv_out(conv_out(spec.height, 2), 2), w = conv_out(conv_out(spec.width_px, 2), 2);
    fc = register_module("fc", nn::Linear(c2 * h * w, 512));
  }
  torch::Tensor forward(torch::Tensor x) override { return fc->forward(features->forward(x).flatten(1)); }
  int64_t repr_dim() const override { return 512; }
  nn::Sequential features{nullptr};
  nn::Linear fc{nullptr};
};

// Three conv3x3-BN-ReLU-maxpool(2) stages (32w, 64w, 128w), flatten, Linear to 512, BN, ReLU: the
// representation is the post-activation 512-d vector. The calibration (docs/scoring.md) found that
// this encoder memorizes measurably at small budgets where small-cnn does not.
struct PooledCnnImpl : BackboneImpl {
  PooledCnnImpl(const BackboneSpec& spec) {
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
  torch::Tensor forward(torch::Tensor x) override { return torch::relu(bn->forward(fc->forward(features->forward(x).flatten(1)))); }
  int64_t repr_dim() const override { return 512; }
  nn::Sequential features{nullptr};
  nn::Linear fc{nullptr};
  nn::BatchNorm1d bn{nullptr};
};

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
  ResNet18Impl(const BackboneSpec& spec) {
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
  torch::Tensor forward(torch::Tensor x) override {
    return torch::adaptive_avg_pool2d(layers->forward(stem->forward(x)), {1, 1}).flatten(1);
  }
  int64_t repr_dim() const override { return dim_; }
  nn::Sequential stem{nullptr};
  nn::Sequential layers;
  int64_t dim_ = 0;
};

// Myrtle's ResNet-9 (Page 2018, DAWNBench CIFAR-10): prep, three stages with max-pool, residual
// pairs after the first and last stage. Global average pooling instead of the original global
// max-pool, like the other backbones here.
struct ResNet9Impl : BackboneImpl {
  ResNet9Impl(const BackboneSpec& spec) {
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
  torch::Tensor forward(torch::Tensor x) override {
    x = layer1->forward(prep->forward(x));
    x = x + res1->forward(x);
    x = layer3->forward(layer2->forward(x));
    x = x + res3->forward(x);
    return torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  }
  int64_t repr_dim() const override { return dim_; }
  nn::Sequential prep{nullptr}, layer1{nullptr}, res1{nullptr}, layer2{nullptr}, layer3{nullptr}, res3{nullptr};
  int64_t dim_ = 0;
};

}  // namespace

std::shared_ptr<BackboneImpl> make_backbone(const BackboneSpec& spec) {
  if (spec.channels < 1 || spec.channels > 64) throw_range("inputShape[0]", "a channel count in [1, 64]", to_text(spec.channels));
  if (!(spec.width > 0 && spec.width <= 16)) throw_range("width", "a number in (0, 16]", to_text(spec.width));
  if (spec.architecture == "small-cnn") {
    if (spec.height < 4 || spec.width_px < 4) {
      throw_range("inputShape", "H and W >= 4 for small-cnn", to_text(spec.height) + "x" + to_text(spec.width_px));
    }
    return std::make_shared<SmallCnnImpl>(spec);
  }
  if (spec.architecture == "pooled-cnn") {
    // Three 2x2 max-pools: the input must be at least 8x8.
    if (spec.height < 8 || spec.width_px < 8) {
      throw_range("inputShape", "H and W >= 8 for pooled-cnn", to_text(spec.height) + "x" + to_text(spec.width_px));
    }
    return std::make_shared<PooledCnnImpl>(spec);
  }
  if (spec.architecture == "resnet18") {
    if (spec.height < 8 || spec.width_px < 8) {
      throw_range("inputShape", "H and W >= 8 for resnet18", to_text(spec.height) + "x" + to_text(spec.width_px));
    }
    return std::make_shared<ResNet18Impl>(spec);
  }
  if (spec.architecture == "resnet9") {
    // Three 2x2 max-pools: the input must be at least 8x8.
    if (spec.height < 8 || spec.width_px < 8) {
      throw_range("inputShape", "H and W >= 8 for resnet9", to_text(spec.height) + "x" + to_text(spec.width_px));
    }
    return std::make_shared<ResNet9Impl>(spec);
  }
  throw_range("architecture", "one of \"small-cnn\", \"pooled-cnn\", \"resnet9\", \"resnet18\"", "\"" + spec.architecture + "\"");
}

void copy_module_state(torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  auto src_params = from.named_parameters(true);
  for (auto& item : to.named_parameters(true)) item.value().copy_(src_params[item.key()]);
  auto src_buffers = from.named_buffers(true);
  for (auto& item : to.named_buffers(true)) item.value().copy_(src_buffers[item.key()]);
}

MlpHeadImpl::MlpHeadImpl(std::vector<int64_t> dims_in, bool output_bn_in, bool hidden_bn_in)
    : dims(std::move(dims_in)), output_bn(output_bn_in), hidden_bn(hidden_bn_in) {
  if (dims.size() < 2) throw_range("head dims", "at least an input and an output size", to_text(dims.size()));
  layers = nn::Sequential();
  for (size_t i = 0; i + 1 < dims.size(); ++i) {
    const bool last = i + 2 == dims.size();
    layers->push_back(nn::Linear(nn::LinearOptions(dims[i], dims[i + 1]).bias(last ? !output_bn : !hidden_bn)));
    if (!last) {
      if (hidden_bn) layers->push_back(nn::BatchNorm1d(dims[i + 1]));
      layers->push_back(nn::ReLU(nn::ReLUOptions(true)));
    } else if (output_bn) {
      layers->push_back(nn::BatchNorm1d(dims[i + 1]));
    }
  }
  register_module("layers", layers);
}

torch::Tensor MlpHeadImpl::forward(torch::Tensor x) { return layers->forward(x); }

}  // namespace sslmem
