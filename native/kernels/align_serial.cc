// Portable row primitives: plain loops, float64 accumulators. The reference the SIMD backends are
// tested against. Four accumulators break the dependency chain, as the SIMD versions do.
#include "align_rows.h"

namespace sslmem {
namespace align_rows {

double dot_f32_serial(const float* a, const float* b, int64_t d) {
  double acc[4] = {0, 0, 0, 0};
  int64_t k = 0;
  for (; k + 4 <= d; k += 4) {
    for (int l = 0; l < 4; ++l) acc[l] += static_cast<double>(a[k + l]) * static_cast<double>(b[k + l]);
  }
  return dot_tail(a, b, k, d, (acc[0] + acc[1]) + (acc[2] + acc[3]));
}

double scaled_diff_sq_f32_serial(const float* a, double sa, const float* b, double sb, int64_t d) {
  double acc[4] = {0, 0, 0, 0};
  int64_t k = 0;
  for (; k + 4 <= d; k += 4) {
    for (int l = 0; l < 4; ++l) {
      double t = static_cast<double>(a[k + l]) * sa - static_cast<double>(b[k + l]) * sb;
      acc[l] += t * t;
    }
  }
  return scaled_diff_sq_tail(a, sa, b, sb, k, d, (acc[0] + acc[1]) + (acc[2] + acc[3]));
}

}  // namespace align_rows
}  // namespace sslmem
