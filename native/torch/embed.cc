// Implements embed.h.
#include "embed.h"

#include <algorithm>
#include <cstring>

#include "../kernels/errors.h"
#include "layer_readout.h"

namespace sslmem {

void embed_views(EncoderState& encoder, const float* views, int64_t m, float* out, int64_t batch_size,
                 const CancelFlag& cancel, const InferenceOptions& options, int64_t group) {
  const auto& s = encoder.spec;
  const int64_t per = s.channels * s.height * s.width_px, d = encoder.repr_dim;
  // Without groups, passes of batch_size rows (the last fewer); within a group, its fewest even
  // pieces of at most batch_size rows (65 rows at most 128: one pass; 257: passes of 86, 86, 85).
  const auto ceil_div = [](int64_t a, int64_t b) { return (a + b - 1) / b; };
  const int64_t span = group > 0 ? group : m;
  const int64_t piece = group > 0 ? ceil_div(group, ceil_div(group, batch_size)) : batch_size;
  for (int64_t group_start = 0; group_start < m; group_start += span) {
    const int64_t group_end = std::min(m, group_start + span);
    for (int64_t start = group_start; start < group_end; start += piece) {
      cancel.throw_if_requested();
      const int64_t b = std::min(piece, group_end - start);
      auto input = torch::from_blob(const_cast<float*>(views) + start * per, {b, s.channels, s.height, s.width_px},
                                    torch::kFloat32);
      auto reprs = encoder.embed_inference(input, options);
      if (reprs.size(1) != d) throw_runtime("ERR_SSLMEM_NATIVE", "The encoder returned " + to_text(reprs.size(1)) + " features instead of " + to_text(d));
      std::memcpy(out + start * d, reprs.data_ptr<float>(), sizeof(float) * b * d);
    }
  }
}

void embed_views_layers(EncoderState& encoder, const float* views, int64_t m, const std::vector<std::string>& layers,
                        std::vector<std::vector<float>>& out, std::vector<int64_t>& dims, int64_t batch_size,
                        const CancelFlag& cancel, const std::string& arg, bool channel_means, int threads) {
  CallThreads call_threads(threads);
  const auto& s = encoder.spec;
  const int64_t per = s.channels * s.height * s.width_px;
  out.assign(layers.size(), {});
  dims.assign(layers.size(), 0);
  for (int64_t start = 0; start < m; start += batch_size) {
    cancel.throw_if_requested();
    const int64_t b = std::min(batch_size, m - start);
    auto input = torch::from_blob(const_cast<float*>(views) + start * per, {b, s.channels, s.height, s.width_px}, torch::kFloat32);
    auto outputs = embed_layers_batch(encoder, input, layers, arg, channel_means);
    for (size_t l = 0; l < layers.size(); ++l) {
      const int64_t d = outputs[l].size(1);
      if (start == 0) {
        dims[l] = d;
        out[l].resize(static_cast<size_t>(m * d));
      }
      std::memcpy(out[l].data() + start * d, outputs[l].data_ptr<float>(), sizeof(float) * b * d);
    }
  }
}

torch::Tensor images_to_tensor(const uint8_t* images, int64_t n, int64_t h, int64_t w, int64_t c,
                               const std::vector<float>& mean, const std::vector<float>& std) {
  auto x = torch::from_blob(const_cast<uint8_t*>(images), {n, h, w, c}, torch::kUInt8)
               .permute({0, 3, 1, 2})
               .to(torch::kFloat32)
               .div_(255.0f);
  auto m = torch::tensor(mean, torch::kFloat32).view({1, c, 1, 1});
  auto s = torch::tensor(std, torch::kFloat32).view({1, c, 1, 1});
  return x.sub_(m).div_(s).contiguous();
}

void embed_images(EncoderState& encoder, const uint8_t* images, int64_t n, float* out, int64_t batch_size,
                  const std::vector<float>& mean, const std::vector<float>& std, const CancelFlag& cancel,
                  const InferenceOptions& options) {
  const auto& s = encoder.spec;
  const int64_t per = s.channels * s.height * s.width_px, d = encoder.repr_dim;
  for (int64_t start = 0; start < n; start += batch_size) {
    cancel.throw_if_requested();
    const int64_t b = std::min(batch_size, n - start);
    auto input = images_to_tensor(images + start * per, b, s.height, s.width_px, s.channels, mean, std);
    auto reprs = encoder.embed_inference(input, options);
    std::memcpy(out + start * d, reprs.data_ptr<float>(), sizeof(float) * b * d);
  }
}

double knn_accuracy(const torch::Tensor& train_features, const torch::Tensor& train_labels,
                    const torch::Tensor& test_features, const torch::Tensor& test_labels, int64_t k,
                    double temperature, int64_t classes) {
  torch::NoGradGuard no_grad;
  namespace F = torch::nn::functional;
  auto train = F::normalize(train_features.to(torch::kFloat32), F::NormalizeFuncOptions().dim(1));
  auto test = F::normalize(test_features.to(torch::kFloat32), F::NormalizeFuncOptions().dim(1));
  auto labels = train_labels.to(torch::kInt64);
  const int64_t kk = std::min<int64_t>(k, train.size(0));
  int64_t correct = 0;
  const int64_t chunk = 256;
  for (int64_t start = 0; start < test.size(0); start += chunk) {
    const int64_t b = std::min(chunk, test.size(0) - start);
    auto sim = torch::mm(test.narrow(0, start, b), train.t());
    auto top = sim.topk(kk, 1);
    auto weights = (std::get<0>(top) / temperature).exp();
    auto neighbour_labels = labels.index_select(0, std::get<1>(top).reshape({-1})).view({b, kk});
    auto votes = torch::zeros({b, classes}, torch::kFloat32).scatter_add_(1, neighbour_labels, weights);
    auto predicted = votes.argmax(1);
    correct += predicted.eq(test_labels.narrow(0, start, b).to(torch::kInt64)).sum().item<int64_t>();
  }
  return test.size(0) == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(test.size(0));
}

}  // namespace sslmem
