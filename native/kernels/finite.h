// Finds the first non-finite (NaN or +-Inf) float, so callers can name the bad row in errors.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sslmem {

// Index of the first NaN/Inf in data[0..n), or -1 if all are finite. Uses `threads` threads.
int64_t find_non_finite_f32(const float* data, size_t n, int threads);

}  // namespace sslmem
