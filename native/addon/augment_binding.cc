// N-API glue of the augmentation capability (lib/augment/native.ts declares these functions).
// Arguments are read and checked on the main thread; the work runs on a libuv worker through
// PromiseWorker. Every check happens before the job starts, so bad input never writes to `out`.
#include <napi.h>

#include <cmath>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "../kernels/augment.h"
#include "../kernels/philox.h"
#include "args.h"
#include "augment_spec.h"
#include "promise_worker.h"
#include "registry.h"

namespace sslmem {

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;

struct BatchArgs {
  TensorArg<uint8_t> images;
  ImageBatch batch{};
  int views = 1;
  uint64_t seed = 0, epoch = 0;
  std::shared_ptr<std::vector<int64_t>> item_ids;  // empty: item i = i
  int threads = 0;
  CancelFlag cancel;
  std::vector<Napi::Value> keep_alive;  // the images and the cancel flag
};

uint64_t read_u53(const Napi::Object& options, const char* key, const std::string& arg, double fallback) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return static_cast<uint64_t>(fallback);
  if (!value.IsNumber()) throw_type(arg, "a non-negative integer", describe_value(value));
  double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= kMaxSafeInteger) || std::floor(d) != d) {
    throw_range(arg, "an integer in [0, 2^53 - 1]", std::isnan(d) ? "NaN" : to_text(d));
  }
  return static_cast<uint64_t>(d);
}

BatchArgs read_batch_args(const Napi::CallbackInfo& info, bool need_seed) {
  BatchArgs a;
  a.images = read_tensor<uint8_t>(info[0], "images", 4);
  const auto& s = a.images.shape;
  if (s[1] < 1 || s[2] < 1) throw_range("images.shape", "images of at least 1 x 1 pixels", to_text(s[1]) + " x " + to_text(s[2]));
  if (s[1] > 16384 || s[2] > 16384) throw_range("images.shape", "sides of at most 16384", to_text(s[1]) + " x " + to_text(s[2]));
  if (s[3] != 1 && s[3] != 3) throw_range("images.shape[3]", "1 or 3 channels", to_text(s[3]) + " channels");
  a.batch = ImageBatch{a.images.data, s[0], static_cast<int>(s[1]), static_cast<int>(s[2]), static_cast<int>(s[3])};
  Napi::Object options = read_object(info[2], "options");
  int64_t views = read_int(options, "views", "options.views", 1);
  if (views < 1 || views > 1000000) throw_range("options.views", "an integer in [1, 1000000]", to_text(views));
  a.views = static_cast<int>(views);
  int64_t threads = read_int(options, "threads", "options.threads", 0);
  if (threads < 0 || threads > 1024) throw_range("options.threads", "an integer in [0, 1024]", to_text(threads));
  a.threads = static_cast<int>(threads);
  a.keep_alive.push_back(a.images.holder);
  a.cancel = read_cancel_flag(options, "options.cancel", a.keep_alive);
  if (need_seed) {
    a.seed = read_u53(options, "seed", "options.seed", 0);
    a.epoch = read_u53(options, "epoch", "options.epoch", 0);
    Napi::Value ids = options.Get("itemIds");
    if (!ids.IsUndefined()) {
      TensorArg<double> raw = read_typed_array<double>(ids, "options.itemIds");
      if (static_cast<int64_t>(raw.size) != a.batch.n) {
        throw_range("options.itemIds", to_text(a.batch.n) + " ids (one per image)", to_text(raw.size) + " ids");
      }
      a.item_ids = std::make_shared<std::vector<int64_t>>(raw.size);
      for (size_t i = 0; i < raw.size; ++i) {
        double d = raw.data[i];
        if (!(d >= 0 && d <= kMaxSafeInteger) || std::floor(d) != d) {
          throw_range("options.itemIds[" + to_text(i) + "]", "an integer in [0, 2^53 - 1]", std::isnan(d) ? "NaN" : to_text(d));
        }
        (*a.item_ids)[i] = static_cast<int64_t>(d);
      }
    }
  }
  return a;
}

// Runs `fill` on a worker into the caller's options.out (checked for its exact length, its memory
// held for the job: TensorArg's buffer contract) or into a new native block (allocate_float32:
// checked, never V8's aborting allocator), and resolves with that array. A resizable out is
// refused: shrinking it would revoke the pages the job writes.
Napi::Value run_into_output(Napi::Env env, const Napi::Value& out_arg, size_t length, const std::string& size_arg,
                            std::vector<Napi::Value> keep_alive, std::function<void(float*)> fill) {
  if (!out_arg.IsUndefined() && !out_arg.IsNull()) {
    TensorArg<float> out = read_typed_array<float>(out_arg, "options.out");
    if (out.size != length) throw_range("options.out", "a Float32Array of length " + to_text(length), "length " + to_text(out.size));
    if (hold_typed_array(out_arg).resizable) {
      throw_type("options.out", "a Float32Array over a fixed-length or shared buffer", "one over a resizable ArrayBuffer");
    }
    // A handle dies with this scope; the resolved value comes back through a reference.
    auto result = std::make_shared<Napi::Reference<Napi::Value>>(Napi::Persistent(out_arg));
    float* data = out.data;
    std::shared_ptr<void> storage = out.storage;
    return PromiseWorker::Run(
        env, keep_alive, [fill, data, storage] { fill(data); }, [result](Napi::Env) -> Napi::Value { return result->Value(); });
  }
  NativeFloat32 block = allocate_float32(length, size_arg);
  return PromiseWorker::Run(
      env, keep_alive, [fill, block] { fill(block.data()); }, [block](Napi::Env env) -> Napi::Value { return adopt_float32(env, block); });
}

// augment(images, pipeline, {views, seed, epoch, itemIds, threads, cancel}, out?): Promise<Float32Array>
Napi::Value Augment(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Napi::Env env = info.Env();
    BatchArgs a = read_batch_args(info, true);
    auto spec = std::make_shared<PipelineSpec>(read_pipeline_spec(info[1], "options.pipeline"));
    validate_pipeline_spec(*spec, a.batch.h, a.batch.w, a.batch.c, "options.pipeline");
    int oh = 0, ow = 0;
    augment_output_size(*spec, a.batch.h, a.batch.w, &oh, &ow);
    const size_t length = output_elements("options.views", {a.batch.n, a.views, a.batch.c, oh, ow});
    // JS values stay on this thread: the worker's copy of `a` must not hold them.
    std::vector<Napi::Value> keep_alive = std::exchange(a.keep_alive, {});
    return run_into_output(env, info[3], length, "options.views", std::move(keep_alive), [a, spec](float* data) {
      augment_batch(*spec, a.batch, a.item_ids ? a.item_ids->data() : nullptr, a.seed, a.epoch, a.views, data, a.threads,
                    a.cancel);
    });
  });
}

// Runs `sample` on a worker and resolves with its parameters as a JS array of ViewParams objects.
Napi::Value params_promise(Napi::Env env, std::vector<Napi::Value> keep_alive, int channels,
                           std::function<std::vector<ViewParams>()> sample) {
  auto params = std::make_shared<std::vector<ViewParams>>();
  return PromiseWorker::Run(
      env, keep_alive, [sample, params] { *params = sample(); },
      [params, channels](Napi::Env env) -> Napi::Value {
        Napi::Array list = Napi::Array::New(env, params->size());
        for (size_t u = 0; u < params->size(); ++u) list.Set(static_cast<uint32_t>(u), view_params_to_js(env, (*params)[u], channels));
        return list;
      });
}

// sampleAugmentParams(images, pipeline, {views, seed, epoch, itemIds, threads}): Promise<ViewParams[]>
// (flat, [n * views] in (image, view) order). Only the images' shape is used.
Napi::Value SampleAugmentParams(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    BatchArgs a = read_batch_args(info, true);
    auto spec = std::make_shared<PipelineSpec>(read_pipeline_spec(info[1], "options.pipeline"));
    validate_pipeline_spec(*spec, a.batch.h, a.batch.w, a.batch.c, "options.pipeline");
    std::vector<Napi::Value> keep_alive = std::exchange(a.keep_alive, {});
    return params_promise(info.Env(), std::move(keep_alive), a.batch.c, [a, spec] {
      return sample_batch_params(*spec, a.batch, a.item_ids ? a.item_ids->data() : nullptr, a.seed, a.epoch, a.views,
                                 a.threads);
    });
  });
}

// The groups of a multi-crop call, read and checked against the images on the main thread.
std::shared_ptr<std::vector<CropGroup>> read_checked_groups(const Napi::Value& value, const BatchArgs& a) {
  auto groups = std::make_shared<std::vector<CropGroup>>(read_crop_groups(value, "options.groups"));
  validate_crop_groups(*groups, a.batch);
  return groups;
}

// augmentMultiCrop(images, groups ([{pipeline, count}]), {seed, epoch, itemIds, threads, cancel}):
// Promise<Float32Array[]>, one new [n, count_g, c, oh_g, ow_g] array per group.
Napi::Value AugmentMultiCrop(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Napi::Env env = info.Env();
    BatchArgs a = read_batch_args(info, true);
    auto groups = read_checked_groups(info[1], a);
    auto blocks = std::make_shared<std::vector<NativeFloat32>>();
    auto data = std::make_shared<std::vector<float*>>();
    for (size_t g = 0; g < groups->size(); ++g) {
      int oh = 0, ow = 0;
      augment_output_size((*groups)[g].pipeline, a.batch.h, a.batch.w, &oh, &ow);
      const std::string arg = "options.groups[" + to_text(g) + "].count";
      blocks->push_back(allocate_float32(output_elements(arg, {a.batch.n, (*groups)[g].count, a.batch.c, oh, ow}), arg));
      data->push_back(blocks->back().data());
    }
    std::vector<Napi::Value> keep_alive = std::exchange(a.keep_alive, {});
    return PromiseWorker::Run(
        env, keep_alive,
        [a, groups, data, blocks] {
          augment_multicrop(*groups, a.batch, a.item_ids ? a.item_ids->data() : nullptr, a.seed, a.epoch, data->data(),
                            a.threads, a.cancel);
        },
        [blocks](Napi::Env env) -> Napi::Value {
          Napi::Array outs = Napi::Array::New(env, blocks->size());
          for (size_t g = 0; g < blocks->size(); ++g) outs.Set(static_cast<uint32_t>(g), adopt_float32(env, (*blocks)[g]));
          return outs;
        });
  });
}

// sampleMultiCropParams(images, groups, {seed, epoch, itemIds, threads}): Promise<ViewParams[]>,
// flat in (group, image, view) order. Only the images' shape is used.
Napi::Value SampleMultiCropParams(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    BatchArgs a = read_batch_args(info, true);
    auto groups = read_checked_groups(info[1], a);
    std::vector<Napi::Value> keep_alive = std::exchange(a.keep_alive, {});
    return params_promise(info.Env(), std::move(keep_alive), a.batch.c, [a, groups] {
      return sample_multicrop_params(*groups, a.batch, a.item_ids ? a.item_ids->data() : nullptr, a.seed, a.epoch,
                                     a.threads);
    });
  });
}

// applyAugmentParams(images, params (flat ViewParams[n * views]), {views, threads}, out?): Promise<Float32Array>
Napi::Value ApplyAugmentParams(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Napi::Env env = info.Env();
    BatchArgs a = read_batch_args(info, false);
    if (!info[1].IsArray()) throw_type("params", "an array of view parameters", describe_value(info[1]));
    Napi::Array list = info[1].As<Napi::Array>();
    size_t count = static_cast<size_t>(a.batch.n) * a.views;
    if (list.Length() != count) {
      throw_range("params", to_text(count) + " entries (images x views)", to_text(list.Length()) + " entries");
    }
    auto params = std::make_shared<std::vector<ViewParams>>(count);
    for (size_t u = 0; u < count; ++u) {
      (*params)[u] = view_params_from_js(list.Get(static_cast<uint32_t>(u)), "params[" + to_text(u) + "]");
    }
    validate_view_params(params->data(), static_cast<int64_t>(count), a.batch.h, a.batch.w, a.batch.c, "params");
    const size_t length =
        count == 0 ? 0 : output_elements("params[0].size", {static_cast<int64_t>(count), a.batch.c, (*params)[0].out_h, (*params)[0].out_w});
    std::vector<Napi::Value> keep_alive = std::exchange(a.keep_alive, {});
    return run_into_output(env, info[3], length, "params[0].size", std::move(keep_alive),
                           [a, params](float* data) { apply_batch_params(params->data(), a.batch, a.views, data, a.threads, a.cancel); });
  });
}

// augmentOutputSize(pipeline, height, width): [height', width'] (synchronous).
Napi::Value AugmentOutputSize(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    PipelineSpec spec = read_pipeline_spec(info[0], "pipeline");
    if (!info[1].IsNumber() || !info[2].IsNumber()) throw_type("height, width", "two integers", describe_value(info[1]));
    int oh = 0, ow = 0;
    augment_output_size(spec, info[1].As<Napi::Number>().Int32Value(), info[2].As<Napi::Number>().Int32Value(), &oh, &ow);
    Napi::Array size = Napi::Array::New(info.Env(), 2);
    size.Set(0u, oh), size.Set(1u, ow);
    return size;
  });
}

// philox4x32(counter: Uint32Array(4), key: Uint32Array(2)): Uint32Array(4), one raw block, for
// the known-answer test against Random123's published vectors.
Napi::Value Philox4x32Block(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    TensorArg<uint32_t> counter = read_typed_array<uint32_t>(info[0], "counter");
    TensorArg<uint32_t> key = read_typed_array<uint32_t>(info[1], "key");
    if (counter.size != 4) throw_range("counter", "4 words", to_text(counter.size) + " words");
    if (key.size != 2) throw_range("key", "2 words", to_text(key.size) + " words");
    Philox4x32 c{{counter.data[0], counter.data[1], counter.data[2], counter.data[3]}};
    Philox4x32 r = philox4x32_10(c, key.data[0], key.data[1]);
    Napi::Uint32Array out = Napi::Uint32Array::New(info.Env(), 4);
    for (size_t k = 0; k < 4; ++k) out[k] = r.v[k];
    return out;
  });
}

}  // namespace

void RegisterAugment(Napi::Env env, Napi::Object exports) {
  export_functions(env, exports, {{"augment", Augment}, {"sampleAugmentParams", SampleAugmentParams},
                                   {"applyAugmentParams", ApplyAugmentParams}, {"augmentOutputSize", AugmentOutputSize},
                                   {"augmentMultiCrop", AugmentMultiCrop}, {"sampleMultiCropParams", SampleMultiCropParams},
                                   {"philox4x32", Philox4x32Block}});
  exports.Set("augmentBackend", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return Napi::String::New(info.Env(), augment_backend());
  }));
}

}  // namespace sslmem
