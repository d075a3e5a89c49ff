// N-API glue of the alignment capability (native/kernels/align.h). Options cross once into an
// AlignConfig; tensors are read in place and kept alive for the job; the work runs on a libuv
// worker thread and its float64/float32 outputs are handed to JS without copying.
#include <napi.h>

#include <climits>
#include <memory>
#include <type_traits>
#include <vector>

#include "../kernels/align.h"
#include "args.h"
#include "promise_worker.h"
#include "registry.h"

namespace sslmem {

namespace {

// Options as the TS façade passes them (lib/align/native.ts, AlignNativeOptions).
struct AlignCall {
  AlignConfig config;
  bool return_pairs = false;
};

AlignCall read_align_options(const Napi::Value& value) {
  AlignCall call;
  if (value.IsUndefined()) {
    call.config.backend = selected_align_backend();
    return call;
  }
  Napi::Object options = read_object(value, "options");
  call.config.metric = parse_align_metric(read_string(options, "metric", "options.metric", "l2-normalized"), "options.metric");
  call.config.pairing = parse_pairing(read_string(options, "pairing", "options.pairing", "anchor"), "options.pairing");
  call.config.check_finite = read_bool(options, "checkFinite", "options.checkFinite", true);
  int64_t threads = read_int(options, "threads", "options.threads", 0);
  if (threads < 0 || threads > 1024) throw_range("options.threads", "an integer in [0, 1024]", to_text(threads));
  call.config.threads = static_cast<int>(threads);
  call.config.backend = parse_align_backend(read_string(options, "backend", "options.backend", "auto"), "options.backend");
  require_align_backend(call.config.backend, "options.backend");
  call.return_pairs = read_bool(options, "returnPairs", "options.returnPairs", false);
  return call;
}

// The pairs per point, with the views bounded so that pair indices fit int32 (the kernels' type)
// and the all-pairs count V(V-1)/2 cannot wrap; the kernels keep one value per pair per thread,
// so the count is bounded like an output.
int64_t checked_pair_count(Pairing pairing, int64_t views, const std::string& arg) {
  if (views > INT32_MAX) throw_range(arg, "at most " + to_text(INT32_MAX) + " views", to_text(views));
  const int64_t count = pair_count(pairing, views, arg);
  output_elements("options.pairing", {count});
  return count;
}

template <typename In>
AlignShape shape_of(const TensorArg<In>& t) { return {t.shape[0], t.shape[1], t.shape[2]}; }

// float16 input arrives as a Uint16Array of IEEE half bits; everything else is read as float32
// (whose reader names the expected Float32Array in its error).
bool holds_halves(const Napi::Value& tensor) {
  if (!tensor.IsObject() || tensor.IsTypedArray() || tensor.IsArray()) return false;
  Napi::Value data = tensor.As<Napi::Object>().Get("data");
  return data.IsTypedArray() && data.As<Napi::TypedArray>().TypedArrayType() == napi_uint16_array;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

template <typename In>
Napi::Value RunPairStats(const Napi::CallbackInfo& info) {
  TensorArg<In> reprs = read_tensor<In>(info[0], "reprs", 3);
  AlignCall call = read_align_options(info[1]);
  AlignShape shape = shape_of(reprs);
  const int64_t count = checked_pair_count(call.config.pairing, shape.views, "reprs.shape[1]");
  struct Result {
    std::vector<double> mean, std;
    std::vector<float> pairs;
  };
  auto result = std::make_shared<Result>();
  resize_or_throw(result->mean, output_elements("reprs.shape[0]", {shape.points}), "reprs.shape[0]");
  resize_or_throw(result->std, result->mean.size(), "reprs.shape[0]");
  if (call.return_pairs) resize_or_throw(result->pairs, output_elements("options.returnPairs", {shape.points, count}), "options.returnPairs");
  return PromiseWorker::Run(
      info.Env(), {reprs.holder},
      [reprs, call, shape, count, result] {
        float* pairs = call.return_pairs ? result->pairs.data() : nullptr;
        if constexpr (std::is_same_v<In, float>) {
          align_pair_stats_f32(reprs.data, shape, call.config, "reprs", result->mean.data(), result->std.data(), pairs);
        } else {
          align_pair_stats_f16(reprs.data, shape, call.config, "reprs", result->mean.data(), result->std.data(), pairs);
        }
      },
      [call, shape, count, result](Napi::Env env) -> Napi::Value {
        Napi::Object out = Napi::Object::New(env);
        out.Set("count", Napi::Number::New(env, static_cast<double>(count)));
        out.Set("mean", adopt_float64(env, std::move(result->mean)));
        out.Set("std", adopt_float64(env, std::move(result->std)));
        if (call.return_pairs) out.Set("pairs", make_tensor(env, adopt_float32(env, std::move(result->pairs)), {shape.points, count}));
        return out;
      });
}

// alignPairStats(reprs: {data: Float32Array | Uint16Array (float16 bits), shape: [N, V, D]}, options?):
// Promise<{count, mean, std, pairs?}>
Napi::Value AlignPairStats(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return holds_halves(info[0]) ? RunPairStats<uint16_t>(info) : RunPairStats<float>(info);
  });
}

template <typename In>
Napi::Value RunDifference(const Napi::CallbackInfo& info) {
  TensorArg<In> f = read_tensor<In>(info[0], "f", 3);
  TensorArg<In> g = read_tensor<In>(info[1], "g", 3);
  if (f.shape != g.shape) throw_range("g.shape", "the shape of f " + shape_text(f.shape), shape_text(g.shape));
  AlignCall call = read_align_options(info[2]);
  AlignShape shape = shape_of(f);
  const int64_t count = checked_pair_count(call.config.pairing, shape.views, "f.shape[1]");
  struct Result {
    std::vector<double> mean_f, mean_g, mean_diff, std_diff, se;
    std::vector<float> pairs_f, pairs_g;
  };
  auto result = std::make_shared<Result>();
  const size_t n = output_elements("f.shape[0]", {shape.points});
  for (auto* v : {&result->mean_f, &result->mean_g, &result->mean_diff, &result->std_diff, &result->se}) resize_or_throw(*v, n, "f.shape[0]");
  if (call.return_pairs) {
    const size_t pairs = output_elements("options.returnPairs", {shape.points, count});
    resize_or_throw(result->pairs_f, pairs, "options.returnPairs");
    resize_or_throw(result->pairs_g, pairs, "options.returnPairs");
  }
  return PromiseWorker::Run(
      info.Env(), {f.holder, g.holder},
      [f, g, call, shape, count, result] {
        DifferenceOutputs out;
        out.mean_f = result->mean_f.data();
        out.mean_g = result->mean_g.data();
        out.mean_diff = result->mean_diff.data();
        out.std_diff = result->std_diff.data();
        out.se = result->se.data();
        out.pairs_f = call.return_pairs ? result->pairs_f.data() : nullptr;
        out.pairs_g = call.return_pairs ? result->pairs_g.data() : nullptr;
        if constexpr (std::is_same_v<In, float>) {
          align_difference_f32(f.data, g.data, shape, call.config, out);
        } else {
          align_difference_f16(f.data, g.data, shape, call.config, out);
        }
      },
      [call, shape, count, result](Napi::Env env) -> Napi::Value {
        Napi::Object out = Napi::Object::New(env);
        out.Set("count", Napi::Number::New(env, static_cast<double>(count)));
        out.Set("meanF", adopt_float64(env, std::move(result->mean_f)));
        out.Set("meanG", adopt_float64(env, std::move(result->mean_g)));
        out.Set("meanDiff", adopt_float64(env, std::move(result->mean_diff)));
        out.Set("stdDiff", adopt_float64(env, std::move(result->std_diff)));
        out.Set("se", adopt_float64(env, std::move(result->se)));
        if (call.return_pairs) {
          out.Set("pairsF", make_tensor(env, adopt_float32(env, std::move(result->pairs_f)), {shape.points, count}));
          out.Set("pairsG", make_tensor(env, adopt_float32(env, std::move(result->pairs_g)), {shape.points, count}));
        }
        return out;
      });
}

// alignDifference(f, g, options?): Promise<{count, meanF, meanG, meanDiff, stdDiff, se, pairsF?, pairsG?}>.
// f and g share one dtype: both Float32Array or both Uint16Array (float16 bits).
Napi::Value AlignDifference(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return holds_halves(info[0]) ? RunDifference<uint16_t>(info) : RunDifference<float>(info);
  });
}

// alignBackends(): {selected, available}: the backend chosen at load and every one this CPU runs.
Napi::Value AlignBackends(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Napi::Env env = info.Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("selected", align_backend_name(selected_align_backend()));
    std::vector<AlignBackend> available = available_align_backends();
    Napi::Array list = Napi::Array::New(env, available.size());
    for (size_t i = 0; i < available.size(); ++i) list.Set(static_cast<uint32_t>(i), align_backend_name(available[i]));
    out.Set("available", list);
    return out;
  });
}

}  // namespace

void RegisterAlign(Napi::Env env, Napi::Object exports) {
  export_functions(env, exports, {{"alignPairStats", AlignPairStats}, {"alignDifference", AlignDifference}, {"alignBackends", AlignBackends}});
}

}  // namespace sslmem
