#include "knn_eval.h"

#include <algorithm>
#include <limits>

#include "../kernels/errors.h"

namespace sslmem {

namespace {

// Rows scaled to unit L2 norm; a zero row stays zero (its similarity to everything is 0).
torch::Tensor l2_normalized_rows(const torch::Tensor& x) {
  torch::Tensor norm = x.norm(2, 1, /*keepdim=*/true);
  return x / torch::where(norm > 0, norm, torch::ones_like(norm));
}

}  // namespace

NeighbourResult nearest_neighbours(const torch::Tensor& bank, const torch::Tensor& queries,
                                   const NeighbourOptions& options, const CancelFlag& cancel) {
  torch::NoGradGuard no_grad;
  const int64_t n = bank.size(0);
  const int64_t m = queries.size(0);
  if (queries.size(1) != bank.size(1)) {
    throw_range("queries.shape[1]", to_text(bank.size(1)) + " (the bank's feature width)", to_text(queries.size(1)));
  }
  if (options.exclude_self && m != n) {
    throw_range("queries", "the bank itself (" + to_text(n) + " rows) when excludeSelf is set", to_text(m) + " rows");
  }
  const int64_t available = options.exclude_self ? n - 1 : n;
  if (available < 1) throw_range("bank", "at least one row besides the query", to_text(n) + " rows");
  const int64_t k = std::min(options.k, available);
  torch::Tensor normalized_bank = l2_normalized_rows(bank.to(torch::kFloat32));
  torch::Tensor normalized_queries = l2_normalized_rows(queries.to(torch::kFloat32));
  NeighbourResult result;
  result.similarities = torch::empty({m, k}, torch::kFloat32);
  result.indices = torch::empty({m, k}, torch::kInt64);
  for (int64_t start = 0; start < m; start += options.batch_size) {
    cancel.throw_if_requested();
    const int64_t end = std::min(m, start + options.batch_size);
    torch::Tensor sim = torch::mm(normalized_queries.slice(0, start, end), normalized_bank.t());
    if (options.exclude_self) {
      // Row r of this batch is bank row start + r: push it below every real similarity.
      torch::Tensor own = torch::arange(start, end, torch::kInt64).unsqueeze(1);
      sim.scatter_(1, own, -std::numeric_limits<float>::infinity());
    }
    auto top = sim.topk(k, 1, /*largest=*/true, /*sorted=*/true);
    result.similarities.slice(0, start, end).copy_(std::get<0>(top));
    result.indices.slice(0, start, end).copy_(std::get<1>(top));
  }
  return result;
}

KnnResult knn_classify(const torch::Tensor& train, const torch::Tensor& train_labels, const torch::Tensor& test,
                       const KnnOptions& options, const CancelFlag& cancel) {
  torch::NoGradGuard no_grad;
  const int64_t n = train.size(0);
  const int64_t m = test.size(0);
  if (n == 0) throw_range("trainFeatures", "at least one row", "0 rows");
  if (test.size(1) != train.size(1)) {
    throw_range("testFeatures.shape[1]", to_text(train.size(1)) + " (the training feature width)", to_text(test.size(1)));
  }
  torch::Tensor labels = train_labels.to(torch::kInt64);
  const int64_t k_classes = options.classes > 0 ? options.classes : labels.max().item<int64_t>() + 1;
  if (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= k_classes) {
    throw_range("trainLabels", "labels in [0, " + to_text(k_classes) + ")",
                "[" + to_text(labels.min().item<int64_t>()) + ", " + to_text(labels.max().item<int64_t>()) + "]");
  }
  const int64_t k = std::min(options.k, n);
  torch::Tensor bank = l2_normalized_rows(train.to(torch::kFloat32));
  torch::Tensor queries = l2_normalized_rows(test.to(torch::kFloat32));

  KnnResult result;
  result.votes = torch::zeros({m, k_classes}, torch::kFloat64);
  for (int64_t start = 0; start < m; start += options.batch_size) {
    cancel.throw_if_requested();
    const int64_t end = std::min(m, start + options.batch_size);
    torch::Tensor sim = torch::mm(queries.slice(0, start, end), bank.t());  // [B, N]
    auto top = sim.topk(k, 1, /*largest=*/true, /*sorted=*/true);
    torch::Tensor weights = (std::get<0>(top).to(torch::kFloat64) / options.temperature).exp();  // [B, k]
    torch::Tensor neighbour_labels = labels.index_select(0, std::get<1>(top).reshape({-1})).reshape({end - start, k});
    result.votes.slice(0, start, end).scatter_add_(1, neighbour_labels, weights);
  }
  // argmax returns the first maximum, i.e. the lowest class index on ties.
  result.predictions = m > 0 ? result.votes.argmax(1) : torch::empty({0}, torch::kInt64);
  return result;
}

}  // namespace sslmem
