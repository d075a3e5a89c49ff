// N-API glue of the registries: methods(), losses() and architectures() describe what this build
// registered (native/torch/methods, native/torch/encoders). The TypeScript façade, the CLI and
// `sslmem info` list these instead of keeping their own copies.
#include <napi.h>

#include "../../torch/encoders/encoder.h"
#include "../../torch/methods/method.h"
#include "../args.h"
#include "torch_registry.h"

namespace sslmem {

namespace {

Napi::Array int_array(Napi::Env env, const std::vector<int64_t>& values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(static_cast<uint32_t>(i), static_cast<double>(values[i]));
  return out;
}

Napi::Array string_array(Napi::Env env, const std::vector<std::string>& values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(static_cast<uint32_t>(i), values[i]);
  return out;
}

Napi::Array option_array(Napi::Env env, const std::vector<MethodOption>& options) {
  Napi::Array out = Napi::Array::New(env, options.size());
  for (size_t i = 0; i < options.size(); ++i) {
    const auto& o = options[i];
    Napi::Object item = Napi::Object::New(env);
    item.Set("name", o.name);
    item.Set("default", o.default_value);
    item.Set("min", o.min);
    item.Set("max", o.max);
    item.Set("minExclusive", o.min_exclusive);
    item.Set("doc", o.doc);
    out.Set(static_cast<uint32_t>(i), item);
  }
  return out;
}

Napi::Value Methods(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto methods = all_methods();
  Napi::Array out = Napi::Array::New(env, methods.size());
  for (size_t i = 0; i < methods.size(); ++i) {
    const MethodSpec& m = *methods[i];
    Napi::Object item = Napi::Object::New(env);
    item.Set("name", m.name);
    item.Set("title", m.title);
    item.Set("citation", m.citation);
    item.Set("projectorDims", int_array(env, m.projector_dims));
    item.Set("projectorOutputBatchNorm", m.projector_output_bn);
    item.Set("predictorDims", int_array(env, m.predictor_dims));
    item.Set("targetMomentumOption", m.target_momentum_option);
    item.Set("minBatch", static_cast<double>(m.min_batch));
    item.Set("options", option_array(env, m.options));
    out.Set(static_cast<uint32_t>(i), item);
  }
  return out;
}

Napi::Value Losses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto losses = all_losses();
  Napi::Array out = Napi::Array::New(env, losses.size());
  for (size_t i = 0; i < losses.size(); ++i) {
    Napi::Object item = Napi::Object::New(env);
    item.Set("name", losses[i]->name);
    item.Set("inputs", string_array(env, losses[i]->inputs));
    item.Set("options", option_array(env, losses[i]->options));
    out.Set(static_cast<uint32_t>(i), item);
  }
  return out;
}

Napi::Value Architectures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto architectures = all_architectures();
  Napi::Array out = Napi::Array::New(env, architectures.size());
  for (size_t i = 0; i < architectures.size(); ++i) {
    const ArchitectureSpec& a = *architectures[i];
    Napi::Object item = Napi::Object::New(env);
    item.Set("name", a.name);
    item.Set("description", a.description);
    item.Set("minSize", static_cast<double>(a.min_size));
    item.Set("reprDim", static_cast<double>(a.repr_dim(1.0)));
    item.Set("layers", string_array(env, a.layers));
    out.Set(static_cast<uint32_t>(i), item);
  }
  return out;
}

}  // namespace

void RegisterCatalog(Napi::Env env, Napi::Object exports) {
  exports.Set("methods", Napi::Function::New(env, Methods));
  exports.Set("losses", Napi::Function::New(env, Losses));
  exports.Set("architectures", Napi::Function::New(env, Architectures));
}

}  // namespace sslmem
