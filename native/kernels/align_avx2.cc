// AVX2 + FMA row primitives: 4 float32 are widened to 4 float64 lanes per instruction
// (vcvtps2pd), four independent accumulators (16 elements per iteration) hide the FMA latency.
#include "align_rows.h"

#ifdef SSLMEM_ALIGN_X86
#include <immintrin.h>

// GCC contracts a * b - c * d into an FMA in C++ by default (-ffp-contract=fast), which would
// round the two products differently and leave identical rows at ~1e-17 instead of exactly 0.
// Explicit _mm*_fmadd_pd calls are unaffected.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace sslmem {
namespace align_rows {

namespace {

__attribute__((target("avx2,fma"))) inline __m256d widen(const float* p) {
  return _mm256_cvtps_pd(_mm_loadu_ps(p));
}

__attribute__((target("avx2,fma"))) inline double reduce(__m256d a0, __m256d a1, __m256d a2, __m256d a3) {
  __m256d s = _mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3));
  __m128d lo = _mm256_castpd256_pd128(s), hi = _mm256_extractf128_pd(s, 1);
  __m128d pair = _mm_add_pd(lo, hi);
  return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

}  // namespace

__attribute__((target("avx2,fma"))) double dot_f32_avx2(const float* a, const float* b, int64_t d) {
  __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
  int64_t k = 0;
  for (; k + 16 <= d; k += 16) {
    a0 = _mm256_fmadd_pd(widen(a + k), widen(b + k), a0);
    a1 = _mm256_fmadd_pd(widen(a + k + 4), widen(b + k + 4), a1);
    a2 = _mm256_fmadd_pd(widen(a + k + 8), widen(b + k + 8), a2);
    a3 = _mm256_fmadd_pd(widen(a + k + 12), widen(b + k + 12), a3);
  }
  for (; k + 4 <= d; k += 4) a0 = _mm256_fmadd_pd(widen(a + k), widen(b + k), a0);
  return dot_tail(a, b, k, d, reduce(a0, a1, a2, a3));
}

__attribute__((target("avx2,fma"))) double scaled_diff_sq_f32_avx2(const float* a, double sa, const float* b,
                                                                   double sb, int64_t d) {
  const __m256d va = _mm256_set1_pd(sa), vb = _mm256_set1_pd(sb);
  __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
  auto step = [&](int64_t at, __m256d acc) __attribute__((target("avx2,fma"))) {
    // No fmsub here: rounding both products alike keeps identical rows at exactly 0.
    __m256d t = _mm256_sub_pd(_mm256_mul_pd(widen(a + at), va), _mm256_mul_pd(widen(b + at), vb));
    return _mm256_fmadd_pd(t, t, acc);
  };
  int64_t k = 0;
  for (; k + 16 <= d; k += 16) {
    a0 = step(k, a0);
    a1 = step(k + 4, a1);
    a2 = step(k + 8, a2);
    a3 = step(k + 12, a3);
  }
  for (; k + 4 <= d; k += 4) a0 = step(k, a0);
  return scaled_diff_sq_tail(a, sa, b, sb, k, d, reduce(a0, a1, a2, a3));
}

}  // namespace align_rows
}  // namespace sslmem

#endif  // SSLMEM_ALIGN_X86
