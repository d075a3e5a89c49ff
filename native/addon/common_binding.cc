// Small utilities shared by every capability: the non-finite scan used to name bad rows.
#include <napi.h>

#include "../kernels/finite.h"
#include "args.h"
#include "promise_worker.h"
#include "registry.h"

namespace sslmem {

namespace {

// findNonFinite(data: Float32Array, threads: number): Promise<number>  (-1 when all finite)
Napi::Value FindNonFinite(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    TensorArg<float> data = read_typed_array<float>(info[0], "data");
    int threads = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 0;
    auto result = std::make_shared<int64_t>(-1);
    return PromiseWorker::Run(
        info.Env(), {data.holder},
        [data, threads, result] { *result = find_non_finite_f32(data.data, data.size, threads); },
        [result](Napi::Env env) { return Napi::Number::New(env, static_cast<double>(*result)); });
  });
}

}  // namespace

void RegisterCommon(Napi::Env env, Napi::Object exports) {
  export_functions(env, exports, {{"findNonFinite", FindNonFinite}});
}

}  // namespace sslmem
