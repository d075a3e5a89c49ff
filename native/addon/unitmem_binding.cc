// N-API glue of UnitMem (native/kernels/unitmem.h). The streaming state lives in JS typed arrays
// (lib/unitmem: sums BigInt64Array [units * digits], top and topPoint Float64Array [units], points
// Float64Array [1]), so it can be written to a shard file and merged; accumulate mutates it on a
// worker thread while keeping every array alive.
#include <napi.h>

#include <memory>
#include <vector>

#include "../kernels/unitmem.h"
#include "args.h"
#include "promise_worker.h"
#include "registry.h"

namespace sslmem {

namespace {

// The state's arrays, checked against each other; `holders` keeps them alive for a job.
UnitMemState read_state(const Napi::Value& value, const std::string& arg, std::vector<Napi::Value>& holders) {
  Napi::Object object = read_object(value, arg);
  Napi::Value sums = object.Get("sums");
  if (!sums.IsTypedArray() || sums.As<Napi::TypedArray>().TypedArrayType() != napi_bigint64_array) {
    throw_type(arg + ".sums", "a BigInt64Array", describe_value(sums));
  }
  auto sums_array = sums.As<Napi::TypedArray>();
  auto top = read_typed_array<double>(object.Get("top"), arg + ".top");
  auto top_point = read_typed_array<double>(object.Get("topPoint"), arg + ".topPoint");
  auto points = read_typed_array<double>(object.Get("points"), arg + ".points");
  UnitMemState state;
  state.units = static_cast<int64_t>(top.size);
  if (sums_array.ElementLength() != top.size * exact_sum::kDigits) {
    throw_range(arg + ".sums.length", to_text(top.size * exact_sum::kDigits) + " (units x " + to_text(exact_sum::kDigits) + ")", to_text(sums_array.ElementLength()));
  }
  if (top_point.size != top.size) throw_range(arg + ".topPoint.length", to_text(top.size) + " (one per unit)", to_text(top_point.size));
  if (points.size != 1) throw_range(arg + ".points.length", "1", to_text(points.size));
  state.sums = reinterpret_cast<int64_t*>(static_cast<uint8_t*>(sums_array.ArrayBuffer().Data()) + sums_array.ByteOffset());
  state.top = top.data;
  state.top_point = top_point.data;
  state.points = points.data;
  holders.insert(holders.end(), {sums, top.holder, top_point.holder, points.holder});
  return state;
}

// unitmemAccumulate(state, activations [N, V, U] float32, ids Float64Array(N), {threads, cancel}) -> Promise<void>
Napi::Value Accumulate(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    std::vector<Napi::Value> keep;
    UnitMemState state = read_state(info[0], "state", keep);
    auto activations = read_tensor<float>(info[1], "activations", 3);
    auto ids = read_typed_array<double>(info[2], "ids");
    Napi::Object options = read_object(info[3], "options");
    if (activations.shape[2] != state.units) throw_range("activations.shape[2]", to_text(state.units) + " units (the state's)", to_text(activations.shape[2]));
    if (activations.shape[1] < 1) throw_range("activations.shape[1]", "at least 1 view", to_text(activations.shape[1]));
    if (static_cast<int64_t>(ids.size) != activations.shape[0]) throw_range("ids.length", to_text(activations.shape[0]) + " (one per point)", to_text(ids.size));
    const int64_t threads = read_int(options, "threads", "options.threads", 0);
    if (threads < 0 || threads > 1024) throw_range("options.threads", "an integer in [0, 1024]", to_text(threads));
    keep.push_back(activations.holder);
    keep.push_back(ids.holder);
    CancelFlag cancel = read_cancel_flag(options, "options.cancel", keep);
    const int64_t n = activations.shape[0], views = activations.shape[1];
    return PromiseWorker::Run(
        info.Env(), keep,
        [=]() mutable { unitmem_accumulate_f32(state, activations.data, ids.data, n, views, static_cast<int>(threads), cancel, "activations"); },
        [](Napi::Env env) -> Napi::Value { return env.Undefined(); });
  });
}

// unitmemMerge(into, from): into += from, synchronously (O(units)).
Napi::Value Merge(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    std::vector<Napi::Value> keep;
    UnitMemState into = read_state(info[0], "into", keep);
    UnitMemState from = read_state(info[1], "from", keep);
    if (from.units != into.units) throw_range("from.top.length", to_text(into.units) + " units (into's)", to_text(from.units));
    unitmem_merge(into, from);
    return info.Env().Undefined();
  });
}

// unitmemFinish(state) -> {muMax, muRest, selectivity, point}, each Float64Array(units).
Napi::Value Finish(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    std::vector<Napi::Value> keep;
    UnitMemState state = read_state(info[0], "state", keep);
    const size_t units = static_cast<size_t>(state.units);
    std::vector<double> mu_max(units), mu_rest(units), selectivity(units), point(units);
    unitmem_finish(state, mu_max.data(), mu_rest.data(), selectivity.data(), point.data());
    Napi::Env env = info.Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("muMax", adopt_float64(env, std::move(mu_max)));
    out.Set("muRest", adopt_float64(env, std::move(mu_rest)));
    out.Set("selectivity", adopt_float64(env, std::move(selectivity)));
    out.Set("point", adopt_float64(env, std::move(point)));
    return out;
  });
}

}  // namespace

void RegisterUnitMem(Napi::Env env, Napi::Object exports) {
  export_functions(env, exports, {{"unitmemAccumulate", Accumulate}, {"unitmemMerge", Merge}, {"unitmemFinish", Finish}});
  exports.Set("unitmemDigits", Napi::Number::New(env, exact_sum::kDigits));
}

}  // namespace sslmem
