#include "cpu_features.h"

namespace sslmem {

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = [] {
    CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
#endif
    return f;
  }();
  return features;
}

std::string best_simd_backend() {
  const CpuFeatures& f = cpu_features();
  if (f.avx512f) return "avx512";
  if (f.avx2 && f.fma) return "avx2";
  return "serial";
}

}  // namespace sslmem
