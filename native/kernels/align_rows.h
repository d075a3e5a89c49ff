// Row primitives of the alignment kernels, one set per backend (internal to align*.cc).
//
// Every primitive reads float32 rows of length d, widens each element to float64 before any
// arithmetic and accumulates in float64 (align.h explains why). Backends differ only in the order
// of the float64 additions. The AVX2 and AVX-512 versions carry function-level target attributes
// and are only called after cpu_features() confirmed the instructions exist.
#pragma once

#include <cstdint>

#include "align.h"

namespace sslmem {
namespace align_rows {

// sum_k a[k] * b[k]   (a == b gives the squared norm)
using DotFn = double (*)(const float* a, const float* b, int64_t d);
// sum_k (a[k] * sa - b[k] * sb)^2   (sa = sb = 1: squared L2; sb < 0: the squared norm of a sum)
using ScaledDiffSqFn = double (*)(const float* a, double sa, const float* b, double sb, int64_t d);

struct RowKernels {
  const char* name;
  DotFn dot;
  ScaledDiffSqFn scaled_diff_sq;
};

// Scalar tails shared by every backend: elements k..d-1 added to `sum` one by one.
inline double dot_tail(const float* a, const float* b, int64_t k, int64_t d, double sum) {
  for (; k < d; ++k) sum += static_cast<double>(a[k]) * static_cast<double>(b[k]);
  return sum;
}
inline double scaled_diff_sq_tail(const float* a, double sa, const float* b, double sb, int64_t k, int64_t d,
                                  double sum) {
  for (; k < d; ++k) {
    double t = static_cast<double>(a[k]) * sa - static_cast<double>(b[k]) * sb;
    sum += t * t;
  }
  return sum;
}

double dot_f32_serial(const float* a, const float* b, int64_t d);
double scaled_diff_sq_f32_serial(const float* a, double sa, const float* b, double sb, int64_t d);

#if defined(__x86_64__) || defined(__i386__)
#define SSLMEM_ALIGN_X86 1
double dot_f32_avx2(const float* a, const float* b, int64_t d);
double scaled_diff_sq_f32_avx2(const float* a, double sa, const float* b, double sb, int64_t d);
double dot_f32_avx512(const float* a, const float* b, int64_t d);
double scaled_diff_sq_f32_avx512(const float* a, double sa, const float* b, double sb, int64_t d);
#endif

// IEEE binary16 -> float32, exact (every half is a float). halves_to_floats uses F16C unless the
// serial backend is requested or the CPU lacks it (align_f16.cc).
float half_to_float(uint16_t half);
void halves_to_floats(const uint16_t* in, float* out, int64_t n, AlignBackend backend);

}  // namespace align_rows
}  // namespace sslmem
