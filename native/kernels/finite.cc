#include "finite.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "parallel.h"

namespace sslmem {

int64_t find_non_finite_f32(const float* data, size_t n, int threads) {
  std::atomic<int64_t> first{-1};
  parallel_for(n, threads, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      if (!std::isfinite(data[i])) {
        int64_t expected = first.load();
        // Keep the smallest index so the answer does not depend on thread timing.
        while ((expected < 0 || static_cast<int64_t>(i) < expected) &&
               !first.compare_exchange_weak(expected, static_cast<int64_t>(i))) {
        }
        return;
      }
    }
  }, 1 << 16);
  return first.load();
}

}  // namespace sslmem
