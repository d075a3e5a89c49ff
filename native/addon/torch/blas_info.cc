// Which BLAS libtorch's matrix products run on, read from what the dynamic loader mapped into this
// process rather than guessed from the build: Debian's libtorch links libblas.so.3, and the
// alternatives system points that at the netlib reference BLAS, OpenBLAS, BLIS, ATLAS or MKL,
// which differ 20x in speed (bench/RESULTS.md). lib/blas.ts resolves the symlinks and names it.
#include <dlfcn.h>
#include <napi.h>

#include <string>

#include "../args.h"
#include "torch_registry.h"

namespace sslmem {

namespace {

// The symbol libtorch's CPU matrix products call (at::native::cpublas::gemm for float32).
constexpr const char* kGemmSymbol = "sgemm_";

// glibc searches RTLD_DEFAULT in the caller's scope: the global scope, then this addon's load group
// breadth first. libtorch was loaded in that group, so this is where its own references bind.
void* lookup(const char* symbol) { return dlsym(RTLD_DEFAULT, symbol); }

// Path of the shared object holding `address` as the loader opened it (symlinks not resolved).
std::string object_of(void* address) {
  Dl_info where{};
  if (address == nullptr || dladdr(address, &where) == 0 || where.dli_fname == nullptr) return "";
  return where.dli_fname;
}

// OpenBLAS states its own threading (openblas_get_parallel: 0 serial, 1 pthreads, 2 OpenMP) and
// build (openblas_get_config names the CPU core it picked). Debian's OpenBLAS libblas.so.3 is a thin interface over libopenblas.so.0, a separately
// switched alternative, so the core's answer is the one that counts.
Napi::Value OpenBlasCore(Napi::Env env) {
  using IntFn = int (*)();
  using TextFn = char* (*)();
  auto parallel = reinterpret_cast<IntFn>(lookup("openblas_get_parallel"));
  if (parallel == nullptr) return env.Null();
  Napi::Object core = Napi::Object::New(env);
  core.Set("object", object_of(reinterpret_cast<void*>(parallel)));
  core.Set("parallel", parallel());
  auto config = reinterpret_cast<TextFn>(lookup("openblas_get_config"));
  if (config != nullptr) core.Set("config", config());
  return core;
}

Napi::Value BlasInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  std::string object = object_of(lookup(kGemmSymbol));
  out.Set("symbol", kGemmSymbol);
  out.Set("object", object.empty() ? env.Null() : Napi::String::New(env, object));
  out.Set("openblas", OpenBlasCore(env));
  return out;
}

}  // namespace

void RegisterBlasInfo(Napi::Env env, Napi::Object exports) {
  export_functions(env, exports, {{"blasInfo", BlasInfo}});
}

}  // namespace sslmem
