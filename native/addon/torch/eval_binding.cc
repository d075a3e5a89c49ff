// N-API glue of the downstream evaluation: linearProbe, knnClassify and nearestNeighbours run on a libuv worker and
// resolve with typed arrays (lib/eval/native.ts states the JS shapes).
#include <napi.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "../args.h"
#include "../promise_worker.h"
#include "../../torch/knn_eval.h"
#include "../../torch/probe.h"
#include "torch_registry.h"

namespace sslmem {

namespace {

// A torch view of an input's private copy (TensorArg); the tensor holds the copy alive.
template <typename T>
torch::Tensor view_of(const TensorArg<T>& arg, torch::ScalarType type) {
  std::shared_ptr<void> storage = arg.storage;
  return torch::from_blob(arg.data, arg.shape, [storage](void*) {}, torch::TensorOptions().dtype(type));
}

torch::Tensor features_arg(const Napi::Value& value, const std::string& arg, std::vector<Napi::Value>& keep) {
  TensorArg<float> t = read_tensor<float>(value, arg, 2);
  keep.push_back(t.holder);
  return view_of(t, torch::kFloat32);
}

torch::Tensor labels_arg(const Napi::Value& value, const std::string& arg, int64_t rows,
                         std::vector<Napi::Value>& keep) {
  TensorArg<int32_t> t = read_typed_array<int32_t>(value, arg);
  if (static_cast<int64_t>(t.size) != rows) {
    throw_range(arg, "an Int32Array of length " + to_text(rows) + " (one label per feature row)",
                "length " + to_text(t.size));
  }
  keep.push_back(t.holder);
  t.shape = {rows};
  return view_of(t, torch::kInt32);
}

template <typename T>
std::vector<T> to_vector(const torch::Tensor& t, torch::ScalarType type) {
  torch::Tensor c = t.to(type).contiguous();
  std::vector<T> out(static_cast<size_t>(c.numel()));
  if (!out.empty()) std::memcpy(out.data(), c.data_ptr<T>(), out.size() * sizeof(T));
  return out;
}

Napi::Int32Array int32_array(Napi::Env env, const torch::Tensor& t) {
  std::vector<int32_t> v = to_vector<int32_t>(t, torch::kInt32);
  Napi::Int32Array out = Napi::Int32Array::New(env, v.size());
  if (!v.empty()) std::memcpy(out.Data(), v.data(), v.size() * sizeof(int32_t));
  return out;
}

Napi::Object float64_tensor(Napi::Env env, const torch::Tensor& t) {
  std::vector<int64_t> shape(t.sizes().begin(), t.sizes().end());
  return make_tensor(env, adopt_float64(env, to_vector<double>(t, torch::kFloat64)), shape);
}

// linearProbe(trainFeatures, trainLabels, testFeatures | null, testLabels | null, options)
Napi::Value LinearProbe(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    std::vector<Napi::Value> keep;
    torch::Tensor train = features_arg(info[0], "trainFeatures", keep);
    torch::Tensor train_labels = labels_arg(info[1], "trainLabels", train.size(0), keep);
    torch::Tensor test, test_labels;
    if (!info[2].IsNull() && !info[2].IsUndefined()) {
      test = features_arg(info[2], "testFeatures", keep);
      test_labels = labels_arg(info[3], "testLabels", test.size(0), keep);
    }
    Napi::Object options = read_object(info[4], "options");
    ProbeOptions opts;
    opts.classes = read_int(options, "classes", "options.classes", 0);
    opts.lambda = read_number(options, "lambda", "options.lambda", opts.lambda);
    opts.max_iterations = read_int(options, "maxIterations", "options.maxIterations", opts.max_iterations);
    opts.tolerance = read_number(options, "tolerance", "options.tolerance", opts.tolerance);
    if (!(opts.lambda >= 0) || !std::isfinite(opts.lambda)) throw_range("options.lambda", "a finite number >= 0", to_text(opts.lambda));
    if (opts.max_iterations < 1) throw_range("options.maxIterations", "an integer >= 1", to_text(opts.max_iterations));
    CancelFlag cancel = read_cancel_flag(options, "options.cancel", keep);
    auto result = std::make_shared<ProbeResult>();
    return PromiseWorker::Run(
        info.Env(), keep,
        [=]() { *result = linear_probe(train, train_labels, test, test_labels, opts, cancel); },
        [=](Napi::Env env) -> Napi::Value {
          Napi::Object out = Napi::Object::New(env);
          out.Set("weights", float64_tensor(env, result->weights));
          out.Set("bias", float64_tensor(env, result->bias));
          out.Set("mean", float64_tensor(env, result->mean));
          out.Set("scale", float64_tensor(env, result->scale));
          out.Set("trainPredictions", int32_array(env, result->train_predictions));
          out.Set("testPredictions", int32_array(env, result->test_predictions));
          out.Set("loss", result->loss);
          out.Set("gradientMaxAbs", result->gradient_max_abs);
          out.Set("trainAccuracy", result->train_accuracy);
          out.Set("testAccuracy", result->test_accuracy);
          out.Set("evaluations", static_cast<double>(result->iterations));
          return out;
        });
  });
}

// knnClassify(trainFeatures, trainLabels, testFeatures, options)
Napi::Value KnnClassify(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    std::vector<Napi::Value> keep;
    torch::Tensor train = features_arg(info[0], "trainFeatures", keep);
    torch::Tensor train_labels = labels_arg(info[1], "trainLabels", train.size(0), keep);
    torch::Tensor test = features_arg(info[2], "testFeatures", keep);
    Napi::Object options = read_object(info[3], "options");
    KnnOptions opts;
    opts.k = read_int(options, "k", "options.k", opts.k);
    opts.temperature = read_number(options, "temperature", "options.temperature", opts.temperature);
    opts.classes = read_int(options, "classes", "options.classes", 0);
    opts.batch_size = read_batch_size(options, opts.batch_size);
    if (opts.k < 1) throw_range("options.k", "an integer >= 1", to_text(opts.k));
    if (!(opts.temperature >= 1.0 / 700) || !std::isfinite(opts.temperature)) {
      throw_range("options.temperature", "a finite number >= 1/700 (exp(1/T) must fit a float64)", to_text(opts.temperature));
    }
    CancelFlag cancel = read_cancel_flag(options, "options.cancel", keep);
    auto result = std::make_shared<KnnResult>();
    return PromiseWorker::Run(
        info.Env(), keep, [=]() { *result = knn_classify(train, train_labels, test, opts, cancel); },
        [=](Napi::Env env) -> Napi::Value {
          Napi::Object out = Napi::Object::New(env);
          out.Set("predictions", int32_array(env, result->predictions));
          out.Set("votes", float64_tensor(env, result->votes));
          return out;
        });
  });
}

// nearestNeighbours(bank, queries, options)
Napi::Value NearestNeighbours(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    std::vector<Napi::Value> keep;
    torch::Tensor bank = features_arg(info[0], "bank", keep);
    torch::Tensor queries = features_arg(info[1], "queries", keep);
    Napi::Object options = read_object(info[2], "options");
    NeighbourOptions opts;
    opts.k = read_int(options, "k", "options.k", opts.k);
    opts.exclude_self = read_bool(options, "excludeSelf", "options.excludeSelf", false);
    opts.batch_size = read_batch_size(options, opts.batch_size);
    if (opts.k < 1) throw_range("options.k", "an integer >= 1", to_text(opts.k));
    CancelFlag cancel = read_cancel_flag(options, "options.cancel", keep);
    auto result = std::make_shared<NeighbourResult>();
    return PromiseWorker::Run(
        info.Env(), keep, [=]() { *result = nearest_neighbours(bank, queries, opts, cancel); },
        [=](Napi::Env env) -> Napi::Value {
          Napi::Object out = Napi::Object::New(env);
          std::vector<int64_t> shape(result->similarities.sizes().begin(), result->similarities.sizes().end());
          out.Set("similarities", make_tensor(env, adopt_float32(env, to_vector<float>(result->similarities, torch::kFloat32)), shape));
          out.Set("indices", make_tensor(env, int32_array(env, result->indices), shape));
          return out;
        });
  });
}

}  // namespace

void RegisterEval(Napi::Env env, Napi::Object exports) {
  export_functions(env, exports, {{"linearProbe", LinearProbe}, {"knnClassify", KnnClassify}, {"nearestNeighbours", NearestNeighbours}});
}

}  // namespace sslmem
