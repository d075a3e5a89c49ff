// libtorch's version, thread settings and devices. libtorch defaults to one intra-op thread on
// these machines unless OMP_NUM_THREADS is set, so the module sets the count explicitly at load
// (all hardware threads, or OMP_NUM_THREADS when the user set it) and exposes setThreads().
#include <napi.h>
#include <torch/torch.h>

#include <cstdlib>

#include "../args.h"
#include "../promise_worker.h"
#include "../../kernels/parallel.h"
#include "torch_registry.h"

namespace sslmem {

namespace {

int default_threads() {
  const char* omp = std::getenv("OMP_NUM_THREADS");
  if (omp != nullptr) {
    int n = std::atoi(omp);
    if (n > 0) return n;
  }
  return hardware_threads();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("tier", "torch");
  out.Set("torchVersion", SSLMEM_TORCH_VERSION);
  out.Set("intraOpThreads", at::get_num_threads());
  out.Set("interOpThreads", at::get_num_interop_threads());
  out.Set("cudaAvailable", torch::cuda::is_available());
  out.Set("cudaDeviceCount", static_cast<double>(torch::cuda::device_count()));
#ifdef SSLMEM_WITH_CUDA
  out.Set("cudaKernels", true);
#else
  out.Set("cudaKernels", false);
#endif
  out.Set("parallelInfo", at::get_parallel_info());
  return out;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    if (!info[0].IsNumber()) throw_type("threads", "a positive integer", describe_value(info[0]));
    double n = info[0].As<Napi::Number>().DoubleValue();
    if (!(n >= 1) || n != static_cast<int>(n) || n > 1024) throw_range("threads", "an integer in [1, 1024]", to_text(n));
    at::set_num_threads(static_cast<int>(n));
    return Napi::Number::New(info.Env(), at::get_num_threads());
  });
}

}  // namespace

void RegisterTorchInfo(Napi::Env env, Napi::Object exports) {
  export_functions(env, exports, {{"torchInfo", Info}, {"setThreads", SetThreads}});
  at::set_num_threads(default_threads());
}

}  // namespace sslmem
