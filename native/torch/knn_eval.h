// Weighted k-nearest-neighbour classifier on frozen features (Wu et al. 2018, "Unsupervised
// Feature Learning via Non-Parametric Instance Discrimination", Sec. 3.4): features are L2
// normalized (a zero vector stays zero), similarity is cosine s = <q, x>, each of the k most
// similar training points votes for its label with weight exp(s / T), and the class with the
// largest total wins (ties: the lowest class index). Defaults k = 200, T = 0.1 as in the paper.
// Similarities in float32 batches of test rows: one [B, N] matmul, a top-k and a scatter-add each.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "../kernels/cancel.h"

namespace sslmem {

struct KnnOptions {
  int64_t k = 200;            // neighbours (clamped to N)
  double temperature = 0.1;   // T in exp(s / T)
  int64_t classes = 0;        // K; 0 = 1 + the largest training label
  int64_t batch_size = 1024;  // test rows per matmul
};

struct KnnResult {
  torch::Tensor predictions;  // [M] int64
  torch::Tensor votes;        // [M, K] float64, summed exp(s / T) per class (float64: T down to 1/700)
};

struct NeighbourOptions {
  int64_t k = 10;             // neighbours per query (clamped to the bank size)
  bool exclude_self = false;  // queries ARE the bank: query i never returns bank row i
  int64_t batch_size = 1024;
};

struct NeighbourResult {
  torch::Tensor similarities;  // [M, k] float32 cosine similarities, descending
  torch::Tensor indices;       // [M, k] int64 bank rows
};

// The k most cosine-similar bank rows of each query (same normalization as knn_classify).
NeighbourResult nearest_neighbours(const torch::Tensor& bank, const torch::Tensor& queries,
                                   const NeighbourOptions& options, const CancelFlag& cancel);

KnnResult knn_classify(const torch::Tensor& train, const torch::Tensor& train_labels, const torch::Tensor& test,
                       const KnnOptions& options, const CancelFlag& cancel);

}  // namespace sslmem
