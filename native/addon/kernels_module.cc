// Entry point of the kernel tier addon (sslmem_kernels.node): no system dependency beyond a C++
// compiler, loads on any machine. Each capability registers its own functions.
#include <napi.h>

#include "../kernels/cpu_features.h"
#include "../kernels/parallel.h"
#include "backing_store.h"
#include "registry.h"

namespace sslmem {

Napi::Object InitKernels(Napi::Env env, Napi::Object exports) {
  require_built_node(env, "sslmem_kernels.node", "ERR_SSLMEM_KERNELS_MISSING");
  exports.Set("capabilities", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const CpuFeatures& f = cpu_features();
    Napi::Object out = Napi::Object::New(env);
    out.Set("tier", "kernels");
    out.Set("simd", best_simd_backend());
    out.Set("avx2", f.avx2 && f.fma);
    out.Set("avx512", f.avx512f);
    out.Set("bf16", native_bf16());
    out.Set("hardwareThreads", hardware_threads());
    return out;
  }));
  for (auto register_capability : {RegisterCommon, RegisterAugment, RegisterAlign, RegisterUnitMem}) register_capability(env, exports);
  return exports;
}

}  // namespace sslmem

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return sslmem::InitKernels(env, exports); }

NODE_API_MODULE(sslmem_kernels, Init)
