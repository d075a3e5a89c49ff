// N-API glue of training: train(options, onProgress) -> Promise<{encoder, history}>, plus the
// training math exposed for tests (sslLoss, byolMomentum, cosineWarmupLr, optimizerSteps).
// Progress crosses to JS through a ThreadSafeFunction; the loop itself runs on a libuv worker.
#include <napi.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "../args.h"
#include "../promise_worker.h"
#include "distributed_binding.h"
#include "encoder_binding.h"
#include "../../torch/methods/method.h"
#include "../../torch/schedule.h"
#include "torch_registry.h"
#include "../../torch/train_loop.h"
#include "../../torch/train_networks.h"

#include "../augment_spec.h"
#include "../../kernels/augment.h"

namespace sslmem {

namespace {

torch::Tensor tensor_from(const Napi::Value& value, const std::string& arg) {
  auto t = read_tensor<float>(value, arg);
  return torch::from_blob(t.data, t.shape, torch::kFloat32).clone();
}

// A JS object of numbers ({temperature: 0.5}) as a name -> value map; TypeError naming `arg`.<key>
// for a value that is not a finite number.
std::map<std::string, double> read_number_map(const Napi::Value& value, const std::string& arg) {
  std::map<std::string, double> out;
  if (value.IsUndefined()) return out;
  auto object = read_object(value, arg);
  auto keys = object.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    const std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
    Napi::Value v = object.Get(key);
    if (!v.IsNumber() || !std::isfinite(v.As<Napi::Number>().DoubleValue())) throw_type(arg + "." + key, "a finite number", describe_value(v));
    out[key] = v.As<Napi::Number>().DoubleValue();
  }
  return out;
}

// A registered loss (methods/*.cc) on fixed inputs, in the order the loss names them (losses()
// lists them).
torch::Tensor evaluate_loss(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw_type("name", "a loss name", describe_value(info[0]));
  const LossFunction& loss = find_loss(info[0].As<Napi::String>().Utf8Value(), "name");
  if (!info[1].IsArray()) throw_type("inputs", "an array of tensors", describe_value(info[1]));
  auto list = info[1].As<Napi::Array>();
  if (list.Length() != loss.inputs.size()) throw_range("inputs", to_text(loss.inputs.size()) + " tensors for " + loss.name, to_text(list.Length()));
  std::vector<torch::Tensor> in;
  for (uint32_t i = 0; i < list.Length(); ++i) in.push_back(tensor_from(list.Get(i), "inputs[" + to_text(i) + "]"));
  auto options = resolve_options(loss.options, read_number_map(info[2], "options"), "options");
  return loss.compute(in, options);
}

// sslLoss(name, inputs, options) -> number: a scalar loss.
Napi::Value SslLoss(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value { return Napi::Number::New(info.Env(), evaluate_loss(info).item<double>()); });
}

// sslLossTensor(name, inputs, options) -> {data, shape}: a function whose value is a tensor (MAE's
// masking), for tests that compare it with the reference code.
Napi::Value SslLossTensor(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    auto out = evaluate_loss(info).to(torch::kFloat32).contiguous();
    std::vector<int64_t> shape(out.sizes().begin(), out.sizes().end());
    return make_tensor(info.Env(), adopt_float32(info.Env(), std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel())), shape);
  });
}

Napi::Value ByolMomentum(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return Napi::Number::New(info.Env(), byol_momentum(info[0].As<Napi::Number>().DoubleValue(), info[1].As<Napi::Number>().Int64Value(),
                                                       info[2].As<Napi::Number>().Int64Value()));
  });
}

Napi::Value CosineWarmupLr(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    return Napi::Number::New(info.Env(), cosine_warmup_lr(info[0].As<Napi::Number>().DoubleValue(), info[1].As<Napi::Number>().Int64Value(),
                                                          info[2].As<Napi::Number>().Int64Value(), info[3].As<Napi::Number>().Int64Value()));
  });
}

// optimizerSteps(name, params, grads, {lr, momentum, weightDecay, steps}): runs `steps` steps of
// the named optimizer (its training-loop configuration: rank <= 1 parameters excluded from
// decay and adaptation) with constant gradients; returns the parameters after each step.
Napi::Value OptimizerSteps(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Napi::Env env = info.Env();
    TrainConfig c;
    c.optimizer = info[0].As<Napi::String>().Utf8Value();
    auto plist = info[1].As<Napi::Array>(), glist = info[2].As<Napi::Array>();
    auto options = read_object(info[3], "options");
    c.lr = read_number(options, "lr", "options.lr", 0.1);
    c.momentum = read_number(options, "momentum", "options.momentum", 0.9);
    c.weight_decay = read_number(options, "weightDecay", "options.weightDecay", 0);
    const int64_t steps = read_int(options, "steps", "options.steps", 1);
    std::vector<torch::Tensor> params, grads;
    for (uint32_t i = 0; i < plist.Length(); ++i) {
      params.push_back(tensor_from(plist.Get(i), "params[" + to_text(i) + "]").requires_grad_(true));
      grads.push_back(tensor_from(glist.Get(i), "grads[" + to_text(i) + "]"));
    }
    // Only LARS is exposed: the other optimizers are libtorch's own, tested upstream.
    if (c.optimizer != "lars") throw_range("name", "\"lars\"", "\"" + c.optimizer + "\"");
    auto optimizer = make_optimizer(c, params);
    Napi::Array out = Napi::Array::New(env, steps);
    for (int64_t s = 0; s < steps; ++s) {
      for (size_t i = 0; i < params.size(); ++i) params[i].mutable_grad() = grads[i].clone();
      optimizer->step();
      Napi::Array row = Napi::Array::New(env, params.size());
      for (size_t i = 0; i < params.size(); ++i) {
        auto p = params[i].detach().contiguous();
        std::vector<float> values(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
        row.Set(static_cast<uint32_t>(i), adopt_float32(env, std::move(values)));
      }
      out.Set(static_cast<uint32_t>(s), row);
    }
    return out;
  });
}

std::vector<int64_t> read_int_list(const Napi::Object& options, const char* key, const std::string& arg) {
  std::vector<int64_t> out;
  Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return out;
  if (!value.IsArray()) throw_type(arg, "an array of positive integers", describe_value(value));
  auto array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value v = array.Get(i);
    if (!v.IsNumber() || v.As<Napi::Number>().Int64Value() < 1) throw_range(arg + "[" + to_text(i) + "]", "a positive integer", describe_value(v));
    out.push_back(v.As<Napi::Number>().Int64Value());
  }
  return out;
}

// options.itemIds: one distinct non-negative integer per image (e.g. its dataset index), the key
// of its epoch order and augmentation streams; empty when absent (keys are then positions).
std::vector<int64_t> read_item_ids(const Napi::Object& options, int64_t n) {
  std::vector<int64_t> keys;
  Napi::Value value = options.Get("itemIds");
  if (value.IsUndefined()) return keys;
  auto ids = read_typed_array<int32_t>(value, "options.itemIds");
  if (static_cast<int64_t>(ids.size) != n) throw_range("options.itemIds.length", "one id per image (" + to_text(n) + ")", to_text(ids.size));
  keys.assign(ids.data, ids.data + ids.size);
  std::vector<int64_t> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  if (!sorted.empty() && sorted.front() < 0) throw_range("options.itemIds", "non-negative integers", to_text(sorted.front()));
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw_range("options.itemIds", "distinct ids", "a repeated id " + to_text(*std::adjacent_find(sorted.begin(), sorted.end())));
  }
  return keys;
}

// options.<key>: {images: Uint8 [N, H, W, C], labels: Int32 [N]} of the encoder's input size.
// `held` keeps the inputs' private copies (TensorArg) alive for the job.
MonitorSet read_monitor_set(const Napi::Object& options, const char* key, const BackboneSpec& spec, std::vector<Napi::Value>& keep,
                            std::vector<std::shared_ptr<void>>& held) {
  const std::string arg = std::string("options.") + key;
  auto set = read_object(options.Get(key), arg);
  auto images = read_tensor<uint8_t>(set.Get("images"), arg + ".images", 4);
  auto labels = read_typed_array<int32_t>(set.Get("labels"), arg + ".labels");
  if (images.shape[1] != spec.height || images.shape[2] != spec.width_px || images.shape[3] != spec.channels) {
    throw_range(arg + ".images.shape", "[N, " + to_text(spec.height) + ", " + to_text(spec.width_px) + ", " + to_text(spec.channels) + "]",
                to_text(images.shape[1]) + "x" + to_text(images.shape[2]) + "x" + to_text(images.shape[3]));
  }
  if (static_cast<int64_t>(labels.size) != images.shape[0]) throw_range(arg + ".labels.length", to_text(images.shape[0]), to_text(labels.size));
  keep.push_back(images.holder);
  keep.push_back(labels.holder);
  held.push_back(images.storage);
  held.push_back(labels.storage);
  return {images.data, labels.data, images.shape[0]};
}

// The names of the registered native architectures, for messages.
std::string native_architectures() {
  std::string out;
  for (const auto* a : all_architectures()) out += (out.empty() ? "" : ", ") + a->name;
  return out;
}

// Reads the training configuration. Every key is the camelCase spelling of its TrainConfig field
// (lib/train/native.ts declares the same names), so nothing is renamed on the way down; the
// façade has validated the values, these checks are the native side's own defence.
void read_train_config(const Napi::Object& o, TrainConfig& c) {
  c.method = read_string(o, "method", "options.method", c.method);
  const MethodSpec& method = find_method(c.method, "options.method");
  c.method_options = read_number_map(o.Get("methodOptions"), "options.methodOptions");
  resolve_options(method.options, c.method_options, "options.methodOptions");
  c.projector_dims = read_int_list(o, "projectorDims", "options.projectorDims");
  c.projector_batch_norm = read_bool(o, "projectorBatchNorm", "options.projectorBatchNorm", c.projector_batch_norm);
  c.predictor_dims = read_int_list(o, "predictorDims", "options.predictorDims");
  c.epochs = read_int(o, "epochs", "options.epochs", c.epochs);
  c.batch_size = read_int(o, "batchSize", "options.batchSize", c.batch_size);
  if (c.epochs < 1) throw_range("options.epochs", "an integer >= 1", to_text(c.epochs));
  if (c.batch_size < method.min_batch) {
    throw_range("options.batchSize", "at least " + to_text(method.min_batch) + " for " + c.method, to_text(c.batch_size));
  }
  c.optimizer = read_string(o, "optimizer", "options.optimizer", c.optimizer);
  if (!o.Get("betas").IsUndefined()) {
    auto betas = read_typed_array<double>(o.Get("betas"), "options.betas");
    if (betas.size != 2) throw_range("options.betas.length", "2 (beta1, beta2)", to_text(betas.size));
    c.betas.assign(betas.data, betas.data + 2);
  }
  c.lr = read_number(o, "lr", "options.lr", c.lr);
  c.momentum = read_number(o, "momentum", "options.momentum", c.momentum);
  c.weight_decay = read_number(o, "weightDecay", "options.weightDecay", c.weight_decay);
  c.warmup_epochs = read_number(o, "warmupEpochs", "options.warmupEpochs", c.warmup_epochs);
  c.seed = static_cast<uint64_t>(read_int(o, "seed", "options.seed", 0));
  c.threads = static_cast<int>(read_int(o, "threads", "options.threads", 0));
  c.device = read_string(o, "device", "options.device", c.device);
  if (c.device == "cuda" && !torch::cuda::is_available()) {
    throw_runtime("ERR_SSLMEM_CUDA_UNAVAILABLE",
                  "Expected a CUDA device for options.device but this libtorch build sees none (CPU-only libtorch, or no GPU); use device 'cpu' "
                  "or build with a CUDA libtorch (npm run build:torch -- --libtorch DIR)");
  }
  if (c.device != "cpu" && c.device != "cuda") throw_range("options.device", "\"cpu\" or \"cuda\"", "\"" + c.device + "\"");
  c.checkpoint_path = read_string(o, "checkpointPath", "options.checkpointPath", "");
  c.checkpoint_every = read_int(o, "checkpointEvery", "options.checkpointEvery", 0);
  c.resume = read_string(o, "resume", "options.resume", "");
  c.monitor_every = read_int(o, "monitorEvery", "options.monitorEvery", 0);
  c.monitor_classes = read_int(o, "monitorClasses", "options.monitorClasses", 10);
  c.description = read_string(o, "description", "options.description", "{}");
  auto mean = read_typed_array<float>(o.Get("normalizeMean"), "options.normalizeMean");
  auto stdv = read_typed_array<float>(o.Get("normalizeStd"), "options.normalizeStd");
  c.normalize_mean.assign(mean.data, mean.data + mean.size);
  c.normalize_std.assign(stdv.data, stdv.data + stdv.size);
}

// train(options, onProgress). options: the TrainConfig fields (read_train_config), plus the inputs:
// encoder (handle), views (Float32 [N, V, C, H, W], ready-made) or images (Uint8 [N, H, W, C]) +
// pipeline (+ itemIds), monitorTrain/monitorTest ({images, labels}) when monitorEvery > 0, cancel,
// distributed ({rank, worldSize, ...}: join that process group on the worker and train data-parallel).
Napi::Value Train(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Napi::Env env = info.Env();
    auto options = read_object(info[0], "options");
    auto encoder = encoder_from_value(options.Get("encoder"), "options.encoder");
    if (encoder->script) throw_range("options.encoder", "a native encoder (" + native_architectures() + ")", "a TorchScript encoder");
    const BackboneSpec spec = encoder->spec;
    auto config = std::make_shared<TrainConfig>();
    TrainConfig& c = *config;
    read_train_config(options, c);

    std::vector<Napi::Value> keep{options};
    auto held = std::make_shared<std::vector<std::shared_ptr<void>>>();
    CancelFlag cancel = read_cancel_flag(options, "options.cancel", keep);
    const int64_t per_image = spec.channels * spec.height * spec.width_px;
    const int64_t views_per_step = find_method(c.method, "options.method").views;
    ViewSource views;
    Napi::Value ready = options.Get("views");
    if (!ready.IsUndefined()) {
      auto v = read_tensor<float>(ready, "options.views", 5);
      if (v.shape[1] < 2 || v.shape[2] != spec.channels || v.shape[3] != spec.height || v.shape[4] != spec.width_px) {
        throw_range("options.views.shape", "[N, V >= 2, " + to_text(spec.channels) + ", " + to_text(spec.height) + ", " + to_text(spec.width_px) + "]",
                    to_text(v.shape[1]) + " views of " + to_text(v.shape[2]) + "x" + to_text(v.shape[3]) + "x" + to_text(v.shape[4]));
      }
      keep.push_back(v.holder);
      held->push_back(v.storage);
      c.n = v.shape[0];
      const float* data = v.data;
      const int64_t nv = v.shape[1];
      views.groups = {{views_per_step, spec.channels, spec.height, spec.width_px}};
      // Epoch e uses views (ke + j) mod V, j < k, of each image (k views per step: 2, or 1).
      views.fill = [data, nv, per_image, count = views_per_step](const int64_t* items, int64_t n, int64_t epoch, float* out) {
        for (int64_t i = 0; i < n; ++i) {
          const float* item = data + items[i] * nv * per_image;
          for (int64_t j = 0; j < count; ++j) {
            std::memcpy(out + (count * i + j) * per_image, item + ((count * epoch + j) % nv) * per_image, sizeof(float) * per_image);
          }
        }
      };
    } else {
      auto images = read_tensor<uint8_t>(options.Get("images"), "options.images", 4);
      keep.push_back(images.holder);
      held->push_back(images.storage);
      c.n = images.shape[0];
      const ImageBatch layout{images.data, images.shape[0], static_cast<int>(images.shape[1]), static_cast<int>(images.shape[2]),
                              static_cast<int>(images.shape[3])};
      // A plain pipeline is one group of the method's views per step; multiCrop
      // lists every group, the first being those views.
      auto groups = std::make_shared<std::vector<CropGroup>>();
      if (!options.Get("multiCrop").IsUndefined()) {
        *groups = read_crop_groups(options.Get("multiCrop"), "options.multiCrop");
        validate_crop_groups(*groups, layout);
      } else {
        groups->push_back({read_pipeline_spec(options.Get("pipeline"), "options.pipeline"), static_cast<int>(views_per_step)});
        validate_pipeline_spec(groups->front().pipeline, layout.h, layout.w, layout.c, "options.pipeline");
      }
      for (const CropGroup& g : *groups) {
        int oh = 0, ow = 0;
        augment_output_size(g.pipeline, layout.h, layout.w, &oh, &ow);
        views.groups.push_back({g.count, layout.c, oh, ow});
      }
      const ViewGroup& first = views.groups[0];
      if (groups->size() == 1 && (first.channels != spec.channels || first.height != spec.height || first.width != spec.width_px)) {
        throw_range("options.pipeline", "views of [C, H, W] = [" + to_text(spec.channels) + ", " + to_text(spec.height) + ", " +
                                            to_text(spec.width_px) + "] for this encoder",
                    "[" + to_text(first.channels) + ", " + to_text(first.height) + ", " + to_text(first.width) + "]");
      }
      const uint64_t seed = c.seed;
      const int threads = c.threads;
      c.item_ids = read_item_ids(options, c.n);
      auto keys = std::make_shared<std::vector<int64_t>>(c.item_ids);
      auto sizes = views.groups;
      views.fill = [groups, sizes, layout, seed, threads, keys](const int64_t* items, int64_t n, int64_t epoch, float* out) {
        const size_t per = static_cast<size_t>(layout.h) * layout.w * layout.c;
        std::vector<uint8_t> gathered(per * n);
        std::vector<int64_t> streams(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) {
          std::memcpy(gathered.data() + i * per, layout.pixels + items[i] * per, per);
          streams[i] = keys->empty() ? items[i] : (*keys)[items[i]];
        }
        ImageBatch batch{gathered.data(), n, layout.h, layout.w, layout.c};
        std::vector<float*> outs;
        for (const ViewGroup& g : sizes) {
          outs.push_back(out);
          out += n * g.floats_per_image();
        }
        augment_multicrop(*groups, batch, streams.data(), seed, static_cast<uint64_t>(epoch), outs.data(), threads);
      };
    }
    if (c.batch_size > c.n) throw_range("options.batchSize", "at most the number of images (" + to_text(c.n) + ")", to_text(c.batch_size));
    if (c.monitor_every > 0) {
      c.monitor_train = read_monitor_set(options, "monitorTrain", spec, keep, *held);
      c.monitor_test = read_monitor_set(options, "monitorTest", spec, keep, *held);
    }

    std::shared_ptr<DistributedConfig> distributed;
    if (!options.Get("distributed").IsUndefined()) {
      distributed = std::make_shared<DistributedConfig>(read_distributed_config(options.Get("distributed"), "options.distributed"));
    }

    Napi::Value callback = info[1];
    auto tsfn = std::make_shared<Napi::ThreadSafeFunction>(Napi::ThreadSafeFunction::New(
        env, callback.IsFunction() ? callback.As<Napi::Function>() : Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), "sslmem-train", 0, 1));
    auto result = std::make_shared<TrainResult>();
    return PromiseWorker::Run(
        env, keep,
        [=] {
          (void)held;  // the inputs' copies live as long as this job
          struct Release {
            std::shared_ptr<Napi::ThreadSafeFunction> fn;
            ~Release() { fn->Release(); }
          } release{tsfn};
          auto report = [tsfn](const TrainProgress& p) {
            auto* copy = new TrainProgress(p);
            napi_status status = tsfn->NonBlockingCall(copy, [](Napi::Env env, Napi::Function fn, TrainProgress* p) {
              Napi::Object o = Napi::Object::New(env);
              o.Set("epoch", static_cast<double>(p->epoch));
              o.Set("step", static_cast<double>(p->step));
              o.Set("stepsPerEpoch", static_cast<double>(p->steps_per_epoch));
              o.Set("loss", p->loss);
              o.Set("lr", p->lr);
              o.Set("imagesPerSecond", p->images_per_second);
              if (p->end_of_epoch) o.Set("epochLoss", p->epoch_loss);
              if (p->knn_accuracy >= 0) o.Set("knnAccuracy", p->knn_accuracy);
              delete p;
              try {
                fn.Call({o});
              } catch (const Napi::Error&) {
                // The TS wrapper never throws from its callback; a user error must not kill the loop.
              }
            });
            if (status != napi_ok) delete copy;
          };
          // Joining blocks until every rank is there, so it happens here, off the event loop.
          if (distributed) config->collective = join_process_group(*distributed);
          *result = run_training(*config, *encoder, views, report, cancel);
          config->collective.reset();
        },
        [=](Napi::Env env) -> Napi::Value {
          Napi::Object out = Napi::Object::New(env);
          out.Set("encoder", wrap_encoder(env, result->encoder));
          Napi::Array history = Napi::Array::New(env, result->history.size());
          for (size_t i = 0; i < result->history.size(); ++i) {
            const auto& r = result->history[i];
            Napi::Object o = Napi::Object::New(env);
            o.Set("epoch", static_cast<double>(r.epoch));
            o.Set("loss", r.loss);
            o.Set("imagesPerSecond", r.images_per_second);
            if (r.knn_accuracy >= 0) o.Set("knnAccuracy", r.knn_accuracy);
            history.Set(static_cast<uint32_t>(i), o);
          }
          out.Set("history", history);
          out.Set("firstEpochRun", static_cast<double>(result->first_epoch_run));
          return out;
        });
  });
}

}  // namespace

void RegisterTrain(Napi::Env env, Napi::Object exports) {
  export_functions(env, exports, {{"train", Train}, {"sslLoss", SslLoss}, {"sslLossTensor", SslLossTensor}, {"byolMomentum", ByolMomentum},
                                   {"cosineWarmupLr", CosineWarmupLr}, {"optimizerSteps", OptimizerSteps}});
}

}  // namespace sslmem
