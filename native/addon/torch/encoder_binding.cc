// N-API glue of encoders: createEncoder, loadEncoder, loadTorchScript, knnAccuracy and the
// handle's methods (embedViews, embedImages, save, description, dispose). Heavy calls run on
// a libuv worker through PromiseWorker; the handle's state is shared with the job so a
// dispose() during a job is safe.
#include "encoder_binding.h"

#include <torch/torch.h>

#include "../args.h"
#include "../promise_worker.h"
#include "../../torch/checkpoint.h"
#include "../../torch/embed.h"
#include "../../torch/layer_readout.h"
#include "torch_registry.h"

namespace sslmem {

namespace {

Napi::FunctionReference* encoder_constructor = nullptr;

// A non-empty array of layer names.
std::vector<std::string> read_layer_names(const Napi::Value& value, const std::string& arg) {
  if (!value.IsArray() || value.As<Napi::Array>().Length() == 0) throw_type(arg, "a non-empty array of layer names", describe_value(value));
  auto array = value.As<Napi::Array>();
  std::vector<std::string> names;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value v = array.Get(i);
    if (!v.IsString()) throw_type(arg + "[" + to_text(i) + "]", "a layer name", describe_value(v));
    names.push_back(v.As<Napi::String>().Utf8Value());
  }
  return names;
}

// What embedViews and embedViewsLayers read first: views [M, C, H, W] of the encoder's input shape,
// options.batchSize and options.cancel (kept alive with the views in `keep`).
struct ViewsCall {
  TensorArg<float> views;
  Napi::Object options;
  int64_t batch;
  std::vector<Napi::Value> keep;
  CancelFlag cancel;
};

ViewsCall read_views_call(const Napi::CallbackInfo& info, const EncoderState& encoder) {
  auto views = read_tensor<float>(info[0], "views", 4);
  auto options = read_object(info[1], "options");
  const auto& s = encoder.spec;
  expect_shape_tail("views.shape", views.shape, "M", {s.channels, s.height, s.width_px});
  const int64_t batch = read_batch_size(options, 256);
  std::vector<Napi::Value> keep{views.holder};
  CancelFlag cancel = read_cancel_flag(options, "options.cancel", keep);
  return {views, options, batch, keep, cancel};
}

// How a scoring/embedding call runs its forward passes: {graph (default true), precision 'fp32' |
// 'bf16', threads (libtorch threads for this call, 0 = as set)}.
InferenceOptions read_inference_options(const Napi::Object& options) {
  InferenceOptions out;
  out.graph = read_bool(options, "graph", "options.graph", true);
  const std::string precision = read_string(options, "precision", "options.precision", "fp32");
  if (precision != "fp32" && precision != "bf16") throw_range("options.precision", "'fp32' or 'bf16'", "'" + precision + "'");
  out.precision = precision == "bf16" ? Precision::bf16 : Precision::fp32;
  const int64_t threads = read_int(options, "threads", "options.threads", 0);
  if (threads < 0 || threads > 1024) throw_range("options.threads", "an integer in [0, 1024]", to_text(threads));
  out.threads = static_cast<int>(threads);
  return out;
}

class EncoderHandle : public Napi::ObjectWrap<EncoderHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "EncoderHandle",
                       {InstanceMethod("embedViews", &EncoderHandle::EmbedViews),
                        InstanceMethod("embedImages", &EncoderHandle::EmbedImages),
                        InstanceMethod("embedViewsLayers", &EncoderHandle::EmbedViewsLayers),
                        InstanceMethod("layers", &EncoderHandle::Layers),
                        InstanceMethod("hasLayer", &EncoderHandle::HasLayer),
                        InstanceMethod("save", &EncoderHandle::Save),
                        InstanceMethod("info", &EncoderHandle::Info),
                        InstanceMethod("setDescription", &EncoderHandle::SetDescription),
                        InstanceMethod("dispose", &EncoderHandle::Dispose)});
  }

  explicit EncoderHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EncoderHandle>(info) {}
  ~EncoderHandle() override { release(Env()); }

  std::shared_ptr<EncoderState> state(const std::string& arg) const {
    if (!state_) throw Error(ErrorKind::Runtime, "ERR_SSLMEM_DISPOSED", "Expected a live encoder for " + arg + " but it was disposed");
    return state_;
  }

  // The handle reports its weights to V8 as external memory, so that handles dropped without
  // dispose() are collected as their native size demands, not as their few JS bytes do.
  void set_state(Napi::Env env, std::shared_ptr<EncoderState> state) {
    release(env);
    state_ = std::move(state);
    reported_ = state_ ? static_cast<int64_t>(encoder_bytes(*state_)) : 0;
    if (reported_ > 0) Napi::MemoryManagement::AdjustExternalMemory(env, reported_);
  }

 private:
  Napi::Value EmbedViews(const Napi::CallbackInfo& info) {
    return guarded(info, [this](const Napi::CallbackInfo& info) -> Napi::Value {
      auto encoder = state("encoder");
      auto [views, options, batch, keep, cancel] = read_views_call(info, *encoder);
      const InferenceOptions inference = read_inference_options(options);
      const int64_t m = views.shape[0], d = encoder->repr_dim;
      const int64_t group = read_int(options, "group", "options.group", 0);
      if (group < 0 || (group > 0 && m % group != 0)) throw_range("options.group", "0 or a divisor of views.shape[0] (" + to_text(m) + ")", to_text(group));
      auto out = std::make_shared<std::vector<float>>();
      resize_or_throw(*out, output_elements("views.shape[0]", {m, d}), "views.shape[0]");
      return PromiseWorker::Run(
          info.Env(), keep, [=] { embed_views(*encoder, views.data, m, out->data(), batch, cancel, inference, group); },
          [=](Napi::Env env) -> Napi::Value {
            return make_tensor(env, adopt_float32(env, std::move(*out)), {m, d});
          });
    });
  }

  // embedViewsLayers(views [M, C, H, W], {layers: string[], batchSize, channelMeans, cancel}) -> one
  // [M, D_layer] tensor per layer, from one forward pass per batch.
  Napi::Value EmbedViewsLayers(const Napi::CallbackInfo& info) {
    return guarded(info, [this](const Napi::CallbackInfo& info) -> Napi::Value {
      auto encoder = state("encoder");
      auto [views, options, batch, keep, cancel] = read_views_call(info, *encoder);
      const auto layers = read_layer_names(options.Get("layers"), "options.layers");
      const bool channel_means = read_bool(options, "channelMeans", "options.channelMeans", false);
      const int threads = read_inference_options(options).threads;
      const int64_t m = views.shape[0];
      auto out = std::make_shared<std::vector<std::vector<float>>>();
      auto dims = std::make_shared<std::vector<int64_t>>();
      return PromiseWorker::Run(
          info.Env(), keep, [=] { embed_views_layers(*encoder, views.data, m, layers, *out, *dims, batch, cancel, "options.layers", channel_means, threads); },
          [=](Napi::Env env) -> Napi::Value {
            Napi::Array result = Napi::Array::New(env, out->size());
            for (size_t l = 0; l < out->size(); ++l) {
              result.Set(static_cast<uint32_t>(l), make_tensor(env, adopt_float32(env, std::move((*out)[l])), {m, (*dims)[l]}));
            }
            return result;
          });
    });
  }

  Napi::Value Layers(const Napi::CallbackInfo& info) {
    return guarded(info, [this](const Napi::CallbackInfo& info) -> Napi::Value {
      const auto names = layer_names(*state("encoder"));
      Napi::Array out = Napi::Array::New(info.Env(), names.size());
      for (size_t i = 0; i < names.size(); ++i) out.Set(static_cast<uint32_t>(i), names[i]);
      return out;
    });
  }

  // hasLayer(name) -> whether embedViewsLayers can read it (TorchScript: also dotted submodule paths).
  Napi::Value HasLayer(const Napi::CallbackInfo& info) {
    return guarded(info, [this](const Napi::CallbackInfo& info) -> Napi::Value {
      if (!info[0].IsString()) throw_type("name", "a layer name", describe_value(info[0]));
      return Napi::Boolean::New(info.Env(), has_layer(*state("encoder"), info[0].As<Napi::String>().Utf8Value()));
    });
  }

  Napi::Value EmbedImages(const Napi::CallbackInfo& info) {
    return guarded(info, [this](const Napi::CallbackInfo& info) -> Napi::Value {
      auto encoder = state("encoder");
      auto images = read_tensor<uint8_t>(info[0], "images", 4);
      auto options = read_object(info[1], "options");
      const auto& s = encoder->spec;
      expect_shape_tail("images.shape", images.shape, "N", {s.height, s.width_px, s.channels}, " (NHWC)");
      const int64_t batch = read_batch_size(options, 256);
      auto mean_arg = read_typed_array<float>(options.Get("mean"), "options.mean");
      auto std_arg = read_typed_array<float>(options.Get("std"), "options.std");
      if (static_cast<int64_t>(mean_arg.size) != s.channels || static_cast<int64_t>(std_arg.size) != s.channels) {
        throw_range("options.mean/std", to_text(s.channels) + " values each", to_text(mean_arg.size) + " and " + to_text(std_arg.size));
      }
      std::vector<float> mean(mean_arg.data, mean_arg.data + mean_arg.size), stdv(std_arg.data, std_arg.data + std_arg.size);
      std::vector<Napi::Value> keep{images.holder};
      CancelFlag cancel = read_cancel_flag(options, "options.cancel", keep);
      const InferenceOptions inference = read_inference_options(options);
      const int64_t n = images.shape[0], d = encoder->repr_dim;
      auto out = std::make_shared<std::vector<float>>();
      resize_or_throw(*out, output_elements("images.shape[0]", {n, d}), "images.shape[0]");
      return PromiseWorker::Run(
          info.Env(), keep, [=] { embed_images(*encoder, images.data, n, out->data(), batch, mean, stdv, cancel, inference); },
          [=](Napi::Env env) -> Napi::Value {
            return make_tensor(env, adopt_float32(env, std::move(*out)), {n, d});
          });
    });
  }

  Napi::Value Save(const Napi::CallbackInfo& info) {
    return guarded(info, [this](const Napi::CallbackInfo& info) -> Napi::Value {
      auto encoder = state("encoder");
      if (!info[0].IsString()) throw_type("path", "a string", describe_value(info[0]));
      std::string path = info[0].As<Napi::String>().Utf8Value();
      return PromiseWorker::Run(
          info.Env(), {}, [=] {
            std::lock_guard<std::mutex> lock(encoder->mutex);
            save_encoder_file(*encoder, path);
          },
          [](Napi::Env env) -> Napi::Value { return env.Undefined(); });
    });
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    return guarded(info, [this](const Napi::CallbackInfo& info) -> Napi::Value {
      auto encoder = state("encoder");
      Napi::Env env = info.Env();
      Napi::Object out = Napi::Object::New(env);
      out.Set("architecture", encoder->spec.architecture);
      Napi::Array shape = Napi::Array::New(env, 3);
      shape.Set(0u, Napi::Number::New(env, static_cast<double>(encoder->spec.channels)));
      shape.Set(1u, Napi::Number::New(env, static_cast<double>(encoder->spec.height)));
      shape.Set(2u, Napi::Number::New(env, static_cast<double>(encoder->spec.width_px)));
      out.Set("inputShape", shape);
      out.Set("width", encoder->spec.width);
      Napi::Object settings = Napi::Object::New(env);
      for (const auto& [name, value] : encoder->spec.settings) settings.Set(name, value);
      out.Set("settings", settings);
      out.Set("reprDim", static_cast<double>(encoder->repr_dim));
      out.Set("description", encoder->description);
      int64_t parameters = 0;
      if (encoder->net) {
        for (const auto& p : encoder->net->parameters()) parameters += p.numel();
      }
      out.Set("parameters", static_cast<double>(parameters));
      out.Set("inference", encoder->inference.describe());
      return out;
    });
  }

  Napi::Value SetDescription(const Napi::CallbackInfo& info) {
    return guarded(info, [this](const Napi::CallbackInfo& info) -> Napi::Value {
      auto encoder = state("encoder");
      if (!info[0].IsString()) throw_type("description", "a JSON string", describe_value(info[0]));
      std::lock_guard<std::mutex> lock(encoder->mutex);
      encoder->description = info[0].As<Napi::String>().Utf8Value();
      return info.Env().Undefined();
    });
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    release(info.Env());
    return info.Env().Undefined();
  }

  void release(Napi::Env env) {
    state_.reset();
    if (reported_ > 0) Napi::MemoryManagement::AdjustExternalMemory(env, -reported_);
    reported_ = 0;
  }

  std::shared_ptr<EncoderState> state_;
  int64_t reported_ = 0;  // bytes reported to V8 for state_
};

std::vector<int64_t> read_shape3(const Napi::Value& value, const std::string& arg) {
  if (!value.IsArray() || value.As<Napi::Array>().Length() != 3) throw_type(arg, "an array [C, H, W]", describe_value(value));
  std::vector<int64_t> out;
  auto array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < 3; ++i) {
    Napi::Value v = array.Get(i);
    if (!v.IsNumber()) throw_type(arg + "[" + to_text(i) + "]", "a positive integer", describe_value(v));
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 1 && d <= 65536) || d != static_cast<double>(static_cast<int64_t>(d))) {
      throw_range(arg + "[" + to_text(i) + "]", "an integer in [1, 65536]", to_text(d));
    }
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

Napi::Value CreateEncoder(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    auto options = read_object(info[0], "options");
    BackboneSpec spec;
    spec.architecture = read_string(options, "architecture", "options.architecture", "");
    auto shape = read_shape3(options.Get("inputShape"), "options.inputShape");
    spec.channels = shape[0];
    spec.height = shape[1];
    spec.width_px = shape[2];
    spec.width = read_number(options, "width", "options.width", 1.0);
    if (!options.Get("settings").IsUndefined()) {
      auto settings = read_object(options.Get("settings"), "options.settings");
      auto names = settings.GetPropertyNames();
      for (uint32_t i = 0; i < names.Length(); ++i) {
        const std::string name = names.Get(i).As<Napi::String>().Utf8Value();
        spec.settings[name] = read_string(settings, name.c_str(), "options.settings." + name, "");
      }
    }
    const int64_t seed = read_int(options, "seed", "options.seed", 0);
    auto state = create_encoder(spec, static_cast<uint64_t>(seed));
    state->description = read_string(options, "description", "options.description", "");
    return wrap_encoder(info.Env(), state);
  });
}

Napi::Value LoadEncoder(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    if (!info[0].IsString()) throw_type("path", "a string", describe_value(info[0]));
    std::string path = info[0].As<Napi::String>().Utf8Value();
    auto result = std::make_shared<std::shared_ptr<EncoderState>>();
    return PromiseWorker::Run(
        info.Env(), {}, [=] { *result = load_encoder_file(path); },
        [=](Napi::Env env) -> Napi::Value { return wrap_encoder(env, *result); });
  });
}

Napi::Value LoadTorchScript(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    if (!info[0].IsString()) throw_type("path", "a string", describe_value(info[0]));
    std::string path = info[0].As<Napi::String>().Utf8Value();
    auto shape = read_shape3(info[1], "options.inputShape");
    std::string description = info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "";
    auto result = std::make_shared<std::shared_ptr<EncoderState>>();
    return PromiseWorker::Run(
        info.Env(), {},
        [=] {
          *result = load_torchscript_file(path, shape[0], shape[1], shape[2]);
          (*result)->description = description;
        },
        [=](Napi::Env env) -> Napi::Value { return wrap_encoder(env, *result); });
  });
}

// knnAccuracy(trainFeatures [N, D], trainLabels Int32Array(N), testFeatures [M, D],
//             testLabels Int32Array(M), {k, temperature, classes}) -> Promise<number>
Napi::Value KnnAccuracy(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    auto train = read_tensor<float>(info[0], "trainFeatures", 2);
    auto train_labels = read_typed_array<int32_t>(info[1], "trainLabels");
    auto test = read_tensor<float>(info[2], "testFeatures", 2);
    auto test_labels = read_typed_array<int32_t>(info[3], "testLabels");
    auto options = read_object(info[4], "options");
    if (train.shape[1] != test.shape[1]) throw_range("testFeatures.shape[1]", to_text(train.shape[1]), to_text(test.shape[1]));
    if (static_cast<int64_t>(train_labels.size) != train.shape[0]) throw_range("trainLabels.length", to_text(train.shape[0]), to_text(train_labels.size));
    if (static_cast<int64_t>(test_labels.size) != test.shape[0]) throw_range("testLabels.length", to_text(test.shape[0]), to_text(test_labels.size));
    const int64_t k = read_int(options, "k", "options.k", 200);
    const double temperature = read_number(options, "temperature", "options.temperature", 0.1);
    const int64_t classes = read_int(options, "classes", "options.classes", 0);
    if (k < 1) throw_range("options.k", "an integer >= 1", to_text(k));
    if (!(temperature > 0)) throw_range("options.temperature", "a number > 0", to_text(temperature));
    for (size_t i = 0; i < train_labels.size; ++i) {
      if (train_labels.data[i] < 0 || train_labels.data[i] >= classes) {
        throw_range("trainLabels[" + to_text(i) + "]", "a class in [0, " + to_text(classes) + ")", to_text(train_labels.data[i]));
      }
    }
    auto result = std::make_shared<double>(0);
    return PromiseWorker::Run(
        info.Env(), {train.holder, train_labels.holder, test.holder, test_labels.holder},
        [=] {
          auto tf = torch::from_blob(train.data, {train.shape[0], train.shape[1]}, torch::kFloat32);
          auto tl = torch::from_blob(train_labels.data, {train.shape[0]}, torch::kInt32);
          auto sf = torch::from_blob(test.data, {test.shape[0], test.shape[1]}, torch::kFloat32);
          auto sl = torch::from_blob(test_labels.data, {test.shape[0]}, torch::kInt32);
          *result = knn_accuracy(tf, tl, sf, sl, k, temperature, classes);
        },
        [=](Napi::Env env) -> Napi::Value { return Napi::Number::New(env, *result); });
  });
}

}  // namespace

std::shared_ptr<EncoderState> encoder_from_value(const Napi::Value& value, const std::string& arg) {
  if (!value.IsObject() || encoder_constructor == nullptr ||
      !value.As<Napi::Object>().InstanceOf(encoder_constructor->Value())) {
    throw_type(arg, "an encoder handle", describe_value(value));
  }
  return EncoderHandle::Unwrap(value.As<Napi::Object>())->state(arg);
}

Napi::Object wrap_encoder(Napi::Env env, std::shared_ptr<EncoderState> state) {
  Napi::Object object = encoder_constructor->New({});
  EncoderHandle::Unwrap(object)->set_state(env, std::move(state));
  return object;
}

void RegisterEncoder(Napi::Env env, Napi::Object exports) {
  export_functions(env, exports, {{"createEncoder", CreateEncoder}, {"loadEncoder", LoadEncoder}, {"loadTorchScript", LoadTorchScript},
                                   {"knnAccuracy", KnnAccuracy}});
  Napi::Function constructor = EncoderHandle::Define(env);
  encoder_constructor = new Napi::FunctionReference(Napi::Persistent(constructor));
}

}  // namespace sslmem
