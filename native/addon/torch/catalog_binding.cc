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

// A JS array holding describe(env, item) for each item.
template <typename T, typename Describe>
Napi::Array array_of(Napi::Env env, const std::vector<T>& items, Describe describe) {
  Napi::Array out = Napi::Array::New(env, items.size());
  for (size_t i = 0; i < items.size(); ++i) out.Set(static_cast<uint32_t>(i), describe(env, items[i]));
  return out;
}

Napi::Array int_array(Napi::Env env, const std::vector<int64_t>& values) {
  return array_of(env, values, [](Napi::Env env, int64_t v) { return Napi::Number::New(env, static_cast<double>(v)); });
}

Napi::Array string_array(Napi::Env env, const std::vector<std::string>& values) {
  return array_of(env, values, [](Napi::Env env, const std::string& v) { return Napi::String::New(env, v); });
}

Napi::Array option_array(Napi::Env env, const std::vector<MethodOption>& options) {
  return array_of(env, options, [](Napi::Env env, const MethodOption& o) {
    Napi::Object item = Napi::Object::New(env);
    item.Set("name", o.name);
    item.Set("default", o.default_value);
    item.Set("min", o.min);
    item.Set("max", o.max);
    item.Set("minExclusive", o.min_exclusive);
    item.Set("doc", o.doc);
    return item;
  });
}

Napi::Value Methods(const Napi::CallbackInfo& info) {
  return array_of(info.Env(), all_methods(), [](Napi::Env env, const MethodSpec* m) {
    Napi::Object item = Napi::Object::New(env);
    item.Set("name", m->name);
    item.Set("title", m->title);
    item.Set("citation", m->citation);
    item.Set("projectorDims", int_array(env, m->projector_dims));
    item.Set("projectorOutputBatchNorm", m->projector_output_bn);
    item.Set("predictorDims", int_array(env, m->predictor_dims));
    item.Set("targetMomentumOption", m->target_momentum_option);
    item.Set("minBatch", static_cast<double>(m->min_batch));
    item.Set("options", option_array(env, m->options));
    item.Set("views", static_cast<double>(m->views));
    item.Set("hasProjector", m->has_projector());
    item.Set("localViews", m->local_views);
    Napi::Object optimizer = Napi::Object::New(env);
    optimizer.Set("name", m->optimizer.name);
    optimizer.Set("baseLr", m->optimizer.base_lr);
    optimizer.Set("weightDecay", m->optimizer.weight_decay);
    optimizer.Set("betas", array_of(env, m->optimizer.betas, [](Napi::Env env, double b) { return Napi::Number::New(env, b); }));
    item.Set("optimizer", optimizer);
    return item;
  });
}

Napi::Value Losses(const Napi::CallbackInfo& info) {
  return array_of(info.Env(), all_losses(), [](Napi::Env env, const LossFunction* loss) {
    Napi::Object item = Napi::Object::New(env);
    item.Set("name", loss->name);
    item.Set("inputs", string_array(env, loss->inputs));
    item.Set("options", option_array(env, loss->options));
    return item;
  });
}

Napi::Value Architectures(const Napi::CallbackInfo& info) {
  return array_of(info.Env(), all_architectures(), [](Napi::Env env, const ArchitectureSpec* a) {
    Napi::Object item = Napi::Object::New(env);
    item.Set("name", a->name);
    item.Set("description", a->description);
    item.Set("minSize", static_cast<double>(a->min_size));
    item.Set("reprDim", static_cast<double>(a->repr_dim(1.0)));
    item.Set("layers", string_array(env, default_layers(*a)));
    item.Set("settings", array_of(env, a->settings, [](Napi::Env env, const ArchitectureSetting& setting) {
      Napi::Object out = Napi::Object::New(env);
      out.Set("name", setting.name);
      out.Set("default", setting.default_value);
      out.Set("choices", string_array(env, setting.choices));
      out.Set("doc", setting.doc);
      return out;
    }));
    return item;
  });
}

}  // namespace

void RegisterCatalog(Napi::Env env, Napi::Object exports) {
  export_functions(env, exports, {{"methods", Methods}, {"losses", Losses}, {"architectures", Architectures}});
}

}  // namespace sslmem
