// AVX-512F row primitives: 8 float32 widened to 8 float64 lanes per instruction, four
// accumulators (32 elements per iteration). Compiled everywhere on x86-64, run only where
// cpu_features() reports avx512f.
#include "align_rows.h"

#ifdef SSLMEM_ALIGN_X86
#include <immintrin.h>

// GCC contracts a * b - c * d into an FMA in C++ by default (-ffp-contract=fast), which would
// round the two products differently and leave identical rows at ~1e-17 instead of exactly 0.
// Explicit _mm*_fmadd_pd calls are unaffected.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

// GCC 12's own avx512fintrin.h (_mm512_reduce_add_pd, _mm512_cvtps_pd) starts from
// _mm256_undefined_pd() on purpose, which -Wuninitialized reports at every inlining site.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace sslmem {
namespace align_rows {

namespace {

__attribute__((target("avx512f"))) inline __m512d widen8(const float* p) {
  return _mm512_cvtps_pd(_mm256_loadu_ps(p));
}

__attribute__((target("avx512f"))) inline double reduce8(__m512d a0, __m512d a1, __m512d a2, __m512d a3) {
  return _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(a0, a1), _mm512_add_pd(a2, a3)));
}

}  // namespace

__attribute__((target("avx512f"))) double dot_f32_avx512(const float* a, const float* b, int64_t d) {
  __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
  int64_t k = 0;
  for (; k + 32 <= d; k += 32) {
    a0 = _mm512_fmadd_pd(widen8(a + k), widen8(b + k), a0);
    a1 = _mm512_fmadd_pd(widen8(a + k + 8), widen8(b + k + 8), a1);
    a2 = _mm512_fmadd_pd(widen8(a + k + 16), widen8(b + k + 16), a2);
    a3 = _mm512_fmadd_pd(widen8(a + k + 24), widen8(b + k + 24), a3);
  }
  for (; k + 8 <= d; k += 8) a0 = _mm512_fmadd_pd(widen8(a + k), widen8(b + k), a0);
  return dot_tail(a, b, k, d, reduce8(a0, a1, a2, a3));
}

__attribute__((target("avx512f"))) double scaled_diff_sq_f32_avx512(const float* a, double sa, const float* b,
                                                                    double sb, int64_t d) {
  const __m512d va = _mm512_set1_pd(sa), vb = _mm512_set1_pd(sb);
  __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
  auto step = [&](int64_t at, __m512d acc) __attribute__((target("avx512f"))) {
    // No fmsub here: rounding both products alike keeps identical rows at exactly 0.
    __m512d t = _mm512_sub_pd(_mm512_mul_pd(widen8(a + at), va), _mm512_mul_pd(widen8(b + at), vb));
    return _mm512_fmadd_pd(t, t, acc);
  };
  int64_t k = 0;
  for (; k + 32 <= d; k += 32) {
    a0 = step(k, a0);
    a1 = step(k + 8, a1);
    a2 = step(k + 16, a2);
    a3 = step(k + 24, a3);
  }
  for (; k + 8 <= d; k += 8) a0 = step(k, a0);
  return scaled_diff_sq_tail(a, sa, b, sb, k, d, reduce8(a0, a1, a2, a3));
}

}  // namespace align_rows
}  // namespace sslmem

#endif  // SSLMEM_ALIGN_X86
