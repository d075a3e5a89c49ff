// parallel_for over [0, n) with a fixed number of threads and static, contiguous chunks.
//
// Work items must write disjoint outputs and draw randomness from counter-based streams keyed by
// the item, so the result does not depend on the thread count or chunking (STYLE.md rule 5).
// Threads are spawned per call: for batches large enough to be worth parallelising, the ~20 us
// spawn cost is noise, and small batches run inline on the calling (worker) thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace sslmem {

// Number of hardware threads, at least 1.
inline int hardware_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

// threads <= 0 means "all hardware threads". min_per_thread keeps tiny jobs on one thread.
template <typename F>
void parallel_for(size_t n, int threads, F&& body, size_t min_per_thread = 1) {
  if (n == 0) return;
  size_t t = static_cast<size_t>(threads <= 0 ? hardware_threads() : threads);
  t = std::min(t, std::max<size_t>(1, n / std::max<size_t>(1, min_per_thread)));
  if (t <= 1) {
    body(size_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  std::exception_ptr first_error;
  std::mutex error_mutex;
  size_t chunk = (n + t - 1) / t;
  for (size_t k = 0; k < t; ++k) {
    size_t begin = k * chunk, end = std::min(n, begin + chunk);
    if (begin >= end) break;
    pool.emplace_back([&, begin, end] {
      try {
        body(begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
      }
    });
  }
  for (auto& th : pool) th.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace sslmem
