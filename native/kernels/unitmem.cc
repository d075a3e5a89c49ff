// Implements unitmem.h: the per-unit streaming reduction, parallel over units (each unit's state is
// written by one thread), so results do not depend on the thread count.
#include "unitmem.h"

#include <cmath>
#include <vector>

#include "errors.h"
#include "parallel.h"

namespace sslmem {

namespace {

// Before this many points in one call, digits could overflow between normalizations.
constexpr int64_t kMaxPointsPerCall = int64_t{1} << 30;

[[noreturn]] void throw_non_finite(const std::string& arg, int64_t point, int64_t view, int64_t unit, float x) {
  throw_range(arg + "[point " + to_text(point) + ", view " + to_text(view) + ", unit " + to_text(unit) + "]", "a finite activation",
              std::isnan(x) ? "NaN" : (x > 0 ? "Infinity" : "-Infinity"));
}

}  // namespace

void unitmem_accumulate_f32(UnitMemState& state, const float* activations, const double* ids, int64_t n, int64_t views,
                            int threads, const CancelFlag& cancel, const std::string& arg) {
  if (n > kMaxPointsPerCall) throw_range(arg + ".shape[0]", "at most 2^30 points per call", to_text(n));
  // Check every value first, so a bad batch leaves the state untouched.
  const int64_t units = state.units, total = n * views * units;
  for (int64_t i = 0; i < total; ++i) {
    if (!std::isfinite(activations[i])) throw_non_finite(arg, i / (views * units), (i / units) % views, i % units, activations[i]);
  }
  cancel.throw_if_requested();
  // Each thread owns a contiguous range of units and walks the points in order, reading each view's
  // row segment contiguously (the views of a point are summed in view order, as documented).
  parallel_for(static_cast<size_t>(units), threads, [&](size_t begin, size_t end) {
    const size_t width = end - begin;
    std::vector<double> mu(width);
    for (int64_t p = 0; p < n; ++p) {
      std::fill(mu.begin(), mu.end(), 0.0);
      for (int64_t v = 0; v < views; ++v) {
        const float* row = activations + (p * views + v) * units + begin;
        for (size_t j = 0; j < width; ++j) mu[j] += static_cast<double>(row[j]);
      }
      for (size_t j = 0; j < width; ++j) {
        const size_t k = begin + j;
        const double mean = mu[j] / static_cast<double>(views);
        exact_sum::add(state.sums + k * exact_sum::kDigits, mean);
        if (mean > state.top[k] || (mean == state.top[k] && ids[p] < state.top_point[k])) {
          state.top[k] = mean;
          state.top_point[k] = ids[p];
        }
      }
    }
    for (size_t k = begin; k < end; ++k) exact_sum::normalize(state.sums + k * exact_sum::kDigits);
  }, 16);
  *state.points += static_cast<double>(n);
}

void unitmem_merge(UnitMemState& into, const UnitMemState& from) {
  for (int64_t k = 0; k < into.units; ++k) {
    int64_t* digits = into.sums + k * exact_sum::kDigits;
    const int64_t* other = from.sums + k * exact_sum::kDigits;
    for (int d = 0; d < exact_sum::kDigits; ++d) digits[d] += other[d];
    exact_sum::normalize(digits);
    const bool better = from.top[k] > into.top[k] || (from.top[k] == into.top[k] && from.top_point[k] >= 0 && (into.top_point[k] < 0 || from.top_point[k] < into.top_point[k]));
    if (better) {
      into.top[k] = from.top[k];
      into.top_point[k] = from.top_point[k];
    }
  }
  *into.points += *from.points;
}

void unitmem_finish(const UnitMemState& state, double* mu_max, double* mu_rest, double* selectivity, double* point) {
  const double n = *state.points;
  if (n < 2) throw_range("points", "at least 2 points (mu_-max averages the points other than the top one)", to_text(n));
  std::vector<int64_t> rest(exact_sum::kDigits);
  for (int64_t k = 0; k < state.units; ++k) {
    // The other points' sum, exactly: the whole sum minus the top point's mean.
    std::copy(state.sums + k * exact_sum::kDigits, state.sums + (k + 1) * exact_sum::kDigits, rest.begin());
    exact_sum::add(rest.data(), -state.top[k]);
    exact_sum::normalize(rest.data());
    const double top = state.top[k], others = exact_sum::to_double(rest.data()) / (n - 1);
    mu_max[k] = top;
    mu_rest[k] = others;
    const bool constant = others == top;
    selectivity[k] = constant || top + others == 0 ? 0.0 : (top - others) / (top + others);
    point[k] = constant ? -1.0 : state.top_point[k];
  }
}

}  // namespace sslmem
