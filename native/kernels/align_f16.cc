// IEEE binary16 (float16) input for the alignment kernels: exact widening to float32.
#include <cstring>

#include "align_rows.h"

#ifdef SSLMEM_ALIGN_X86
#include <immintrin.h>
#endif

namespace sslmem {
namespace align_rows {

float half_to_float(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  const uint32_t exponent = (half >> 10) & 0x1fu;
  uint32_t mantissa = half & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // Inf, or NaN keeping its payload
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);  // rebias 15 -> 127
  } else if (mantissa == 0) {
    bits = sign;  // +-0
  } else {
    // Subnormal half: shift the mantissa up to an implicit leading 1 (float32 has the range).
    uint32_t e = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --e;
    }
    bits = sign | (e << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

namespace {

void halves_to_floats_serial(const uint16_t* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = half_to_float(in[i]);
}

#ifdef SSLMEM_ALIGN_X86
__attribute__((target("avx,f16c"))) void halves_to_floats_f16c(const uint16_t* in, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i))));
  }
  for (; i < n; ++i) out[i] = half_to_float(in[i]);
}

const bool kHasF16c = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
}();
#endif

}  // namespace

void halves_to_floats(const uint16_t* in, float* out, int64_t n, AlignBackend backend) {
#ifdef SSLMEM_ALIGN_X86
  if (backend != AlignBackend::Serial && kHasF16c) {
    halves_to_floats_f16c(in, out, n);
    return;
  }
#endif
  halves_to_floats_serial(in, out, n);
}

}  // namespace align_rows
}  // namespace sslmem
