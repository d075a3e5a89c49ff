// Linear probe: multinomial logistic regression on frozen, standardized features (libtorch).
//
// Objective (float64 throughout, so the optimum can be checked to ~1e-8):
//   J(W, b) = (1/N) sum_i CE(softmax(W z_i + b), y_i) + (lambda / 2) ||W||_F^2
// where z_i = (x_i - mean) / std with mean and std (ddof 0) of the TRAINING features; a feature
// with std < 1e-12 is left unscaled (std taken as 1). The bias is not penalized. lambda is per
// sample, so J matches scikit-learn's LogisticRegression(C) with C = 1 / (N * lambda).
// Minimized by full-batch L-BFGS (strong Wolfe line search) from W = 0, b = 0: J is strictly
// convex in W for lambda > 0, so the start only affects speed, and zeros make it deterministic.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "../kernels/cancel.h"

namespace sslmem {

struct ProbeOptions {
  int64_t classes = 0;        // K; 0 = 1 + the largest label seen
  double lambda = 1e-4;       // L2 penalty per sample (see above)
  int64_t max_iterations = 500;  // L-BFGS iterations (each may evaluate J several times)
  double tolerance = 1e-9;    // stop when max |dJ| < tolerance
};

struct ProbeResult {
  torch::Tensor weights;      // [K, D] float64, in standardized feature space
  torch::Tensor bias;         // [K] float64
  torch::Tensor mean;         // [D] float64, training feature mean
  torch::Tensor scale;        // [D] float64, training feature std (1 where ~0)
  torch::Tensor train_predictions;  // [N] int64
  torch::Tensor test_predictions;   // [M] int64 (empty when no test set)
  double loss = 0;            // J at the returned (W, b)
  double gradient_max_abs = 0;  // max |dJ/dW|, |dJ/db| at the returned (W, b) (KKT residual)
  double train_accuracy = 0;
  double test_accuracy = 0;   // NaN when no test set
  int64_t iterations = 0;     // objective evaluations made by L-BFGS
};

// train: [N, D] float32, labels [N] int32 in [0, K); test may be undefined() (no test set).
ProbeResult linear_probe(const torch::Tensor& train, const torch::Tensor& train_labels,
                         const torch::Tensor& test, const torch::Tensor& test_labels,
                         const ProbeOptions& options, const CancelFlag& cancel);

}  // namespace sslmem
