// Which SIMD instruction sets this CPU offers, detected once at load (never assumed at build time).
#pragma once

#include <string>

namespace sslmem {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512bw = false;
};

const CpuFeatures& cpu_features();

// The best backend the dispatch can use here: "avx512", "avx2" or "serial".
std::string best_simd_backend();

}  // namespace sslmem
