#include "probe.h"

#include <cmath>
#include <limits>
#include <string>

#include "../kernels/errors.h"

namespace sslmem {

namespace {

double accuracy(const torch::Tensor& predictions, const torch::Tensor& labels) {
  if (labels.numel() == 0) return std::numeric_limits<double>::quiet_NaN();
  return predictions.eq(labels).to(torch::kFloat64).mean().item<double>();
}

}  // namespace

ProbeResult linear_probe(const torch::Tensor& train, const torch::Tensor& train_labels,
                         const torch::Tensor& test, const torch::Tensor& test_labels,
                         const ProbeOptions& options, const CancelFlag& cancel) {
  torch::NoGradGuard outer_no_grad;
  const int64_t n = train.size(0);
  const int64_t d = train.size(1);
  if (n == 0) throw_range("trainFeatures", "at least one row", "0 rows");
  const bool has_test = test.defined() && test.numel() > 0;
  if (has_test && test.size(1) != d) {
    throw_range("testFeatures.shape[1]", to_text(d) + " (the training feature width)", to_text(test.size(1)));
  }
  torch::Tensor y = train_labels.to(torch::kInt64);
  torch::Tensor y_test = has_test ? test_labels.to(torch::kInt64) : torch::empty({0}, torch::kInt64);
  int64_t k = options.classes;
  if (k <= 0) {
    k = y.max().item<int64_t>() + 1;
    if (has_test) k = std::max(k, y_test.max().item<int64_t>() + 1);
  }
  if (y.min().item<int64_t>() < 0 || y.max().item<int64_t>() >= k) {
    throw_range("trainLabels", "labels in [0, " + to_text(k) + ")",
                "[" + to_text(y.min().item<int64_t>()) + ", " + to_text(y.max().item<int64_t>()) + "]");
  }
  if (has_test && (y_test.min().item<int64_t>() < 0 || y_test.max().item<int64_t>() >= k)) {
    throw_range("testLabels", "labels in [0, " + to_text(k) + ")",
                "[" + to_text(y_test.min().item<int64_t>()) + ", " + to_text(y_test.max().item<int64_t>()) + "]");
  }

  torch::Tensor x = train.to(torch::kFloat64);
  torch::Tensor mean = x.mean(0);
  torch::Tensor scale = x.std(0, /*unbiased=*/false);
  scale = torch::where(scale < 1e-12, torch::ones_like(scale), scale);
  torch::Tensor z = (x - mean) / scale;

  torch::Tensor w = torch::zeros({k, d}, torch::kFloat64).requires_grad_(true);
  torch::Tensor b = torch::zeros({k}, torch::kFloat64).requires_grad_(true);
  const double lambda = options.lambda;
  auto objective = [&]() {
    return torch::nn::functional::cross_entropy(torch::addmm(b, z, w.t()), y) + 0.5 * lambda * w.pow(2).sum();
  };

  torch::optim::LBFGS optimizer(
      std::vector<torch::Tensor>{w, b},
      torch::optim::LBFGSOptions(1.0)
          .max_iter(options.max_iterations)
          .max_eval(options.max_iterations * 5 / 4 + 1)
          .tolerance_grad(options.tolerance)
          .tolerance_change(0)  // stop on the gradient (or the iteration cap) only
          .history_size(20)
          .line_search_fn("strong_wolfe"));
  int64_t evaluations = 0;
  auto closure = [&]() -> torch::Tensor {
    cancel.throw_if_requested();
    ++evaluations;
    optimizer.zero_grad();
    torch::AutoGradMode grad_on(true);
    torch::Tensor loss = objective();
    loss.backward();
    return loss;
  };
  {
    torch::AutoGradMode grad_on(true);
    optimizer.step(closure);
  }

  ProbeResult result;
  {
    torch::AutoGradMode grad_on(true);
    w.mutable_grad() = torch::Tensor();
    b.mutable_grad() = torch::Tensor();
    torch::Tensor loss = objective();
    loss.backward();
    result.loss = loss.item<double>();
    result.gradient_max_abs = std::max(w.grad().abs().max().item<double>(), b.grad().abs().max().item<double>());
  }
  if (!std::isfinite(result.loss)) {
    throw_runtime("ERR_SSLMEM_NATIVE", "The linear probe diverged (loss " + to_text(result.loss) + ")");
  }
  result.weights = w.detach();
  result.bias = b.detach();
  result.mean = mean;
  result.scale = scale;
  result.iterations = evaluations;
  result.train_predictions = torch::addmm(result.bias, z, result.weights.t()).argmax(1);
  result.train_accuracy = accuracy(result.train_predictions, y);
  if (has_test) {
    torch::Tensor zt = (test.to(torch::kFloat64) - mean) / scale;
    result.test_predictions = torch::addmm(result.bias, zt, result.weights.t()).argmax(1);
    result.test_accuracy = accuracy(result.test_predictions, y_test);
  } else {
    result.test_predictions = torch::empty({0}, torch::kInt64);
    result.test_accuracy = std::numeric_limits<double>::quiet_NaN();
  }
  return result;
}

}  // namespace sslmem
