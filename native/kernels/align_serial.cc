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
  double sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  for (; k < d; ++k) sum += static_cast<double>(a[k]) * static_cast<double>(b[k]);
  return sum;
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
  double sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  for (; k < d; ++k) {
    double t = static_cast<double>(a[k]) * sa - static_cast<double>(b[k]) * sb;
    sum += t * t;
  }
  return sum;
}

}  // namespace align_rows
}  // namespace sslmem
