// Implements heads.h.
#include "heads.h"

#include "../kernels/errors.h"

namespace sslmem {

namespace nn = torch::nn;

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
