// Representations in batches (inference mode) and the weighted kNN monitor.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "../kernels/cancel.h"
#include "encoder_state.h"

namespace sslmem {

// views: float [M, C, H, W], already normalized -> out: [M, D] float (caller-allocated M * D),
// through the encoder's inference form (inference_graph.h). With `group` > 0 (dividing M) the rows
// form groups of `group` (scoring: one point's views) and no forward pass spans two groups: each
// group is cut into the fewest even pieces of at most `batch_size` rows, so a row's result depends
// on its own group only, never on its neighbours or on how many groups are embedded together.
void embed_views(EncoderState& encoder, const float* views, int64_t m, float* out, int64_t batch_size,
                 const CancelFlag& cancel, const InferenceOptions& options, int64_t group = 0);

// views: float [M, C, H, W], already normalized -> one [M, D_layer] output per named layer (the
// vectors are sized here), one forward pass per batch (layer_readout.h, `channel_means` as there):
// the eager forward, whose intermediate outputs the inference graph no longer has. `arg` names the
// layer list; `threads` as InferenceOptions::threads.
void embed_views_layers(EncoderState& encoder, const float* views, int64_t m, const std::vector<std::string>& layers,
                        std::vector<std::vector<float>>& out, std::vector<int64_t>& dims, int64_t batch_size,
                        const CancelFlag& cancel, const std::string& arg, bool channel_means, int threads = 0);

// images: uint8 [N, H, W, C] -> (x / 255 - mean[c]) / std[c] as NCHW -> out [N, D].
void embed_images(EncoderState& encoder, const uint8_t* images, int64_t n, float* out, int64_t batch_size,
                  const std::vector<float>& mean, const std::vector<float>& std, const CancelFlag& cancel,
                  const InferenceOptions& options);

// The same images-to-tensor conversion for one batch (used by training's monitor too).
torch::Tensor images_to_tensor(const uint8_t* images, int64_t n, int64_t h, int64_t w, int64_t c,
                               const std::vector<float>& mean, const std::vector<float>& std);

// Weighted kNN classification accuracy (Wu et al. 2018, "Unsupervised Feature Learning via
// Non-Parametric Instance Discrimination", section 3.4): features L2-normalized, the k most
// cosine-similar training points vote for their class with weight exp(similarity / temperature);
// ties go to the lower class index. Defaults k = 200, temperature = 0.1. Test points are
// processed in chunks so memory stays O(chunk * N).
double knn_accuracy(const torch::Tensor& train_features, const torch::Tensor& train_labels,
                    const torch::Tensor& test_features, const torch::Tensor& test_labels, int64_t k,
                    double temperature, int64_t classes);

}  // namespace sslmem
