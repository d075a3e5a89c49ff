// Which SIMD instruction sets this CPU offers, detected once at load (never assumed at build time).
#pragma once

#include <string>

namespace sslmem {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512_bf16 = false;  // AVX-512 bfloat16 dot products (Cooper Lake, Zen 4 and later)
  bool amx_bf16 = false;     // AMX bfloat16 tiles (Sapphire Rapids and later)
};

// Whether bfloat16 matrix products run natively here (AVX-512-BF16 or AMX-BF16); elsewhere
// libtorch emulates them, slower than fp32.
bool native_bf16();

const CpuFeatures& cpu_features();

// The best backend the dispatch can use here: "avx512", "avx2" or "serial".
std::string best_simd_backend();

}  // namespace sslmem
