// Implements inference_graph.h.
#include "inference_graph.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <omp.h>
#include <torch/csrc/jit/frontend/tracer.h>

#include <sstream>

#include "encoder_state.h"

namespace sslmem {

namespace {

// A process holds few shapes (scoring: V + 1 views; embedding: the batch and the remainder); more
// than this means shapes keep changing, and the oldest forms are rebuilt rather than kept forever.
constexpr size_t kMaxForms = 8;

// The native backbone's forward at the input's shape, as a TorchScript module whose only method is
// the traced graph. Traced on a copy of the weights that needs no gradient: the tracer records
// tensors that are not inputs as constants, and the copy keeps the graph from aliasing weights
// that training could later change.
torch::jit::Module trace_native(const EncoderState& encoder, const torch::Tensor& example) {
  std::shared_ptr<BackboneImpl> copy;
  {
    // Building draws default initial weights from libtorch's global generator: put its state back,
    // so that tracing never shifts the draws of a seeded run elsewhere in the process.
    std::lock_guard<std::recursive_mutex> seed_lock(torch_seed_mutex());
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    torch::Tensor state;
    {
      std::lock_guard<std::mutex> lock(generator.mutex());  // not held while building: its draws take it
      state = generator.get_state();
    }
    copy = make_backbone(encoder.spec);
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
  }
  copy_module_state(*encoder.net, *copy);
  for (auto& p : copy->parameters()) p.set_requires_grad(false);
  copy->eval();
  torch::NoGradGuard no_grad;
  torch::jit::tracer::NoWarn no_warn;
  auto traced = torch::jit::tracer::trace(
      {example.clone()},
      [&copy](torch::jit::Stack inputs) -> torch::jit::Stack { return {copy->forward(inputs.at(0).toTensor())}; },
      [](const torch::autograd::Variable&) { return std::string(); }, /*strict=*/false);
  std::shared_ptr<torch::jit::Graph> graph = traced.first->graph;
  torch::jit::Module module("__torch__.sslmem.InferenceBackbone");
  module.register_attribute("training", c10::BoolType::get(), false);
  graph->insertInput(0, "self")->setType(module._ivalue()->type());
  module.type()->addMethod(module._ivalue()->compilation_unit()->create_function("forward", graph));
  return module;
}

// libtorch's inference pipeline on a module in eval mode (freeze clones it first).
torch::jit::Module build_form(EncoderState& encoder, const torch::Tensor& example) {
  torch::jit::Module module = encoder.script ? *encoder.script : trace_native(encoder, example);
  module.eval();
  torch::jit::Module frozen = torch::jit::freeze(module);
  return torch::jit::optimize_for_inference(frozen);
}

torch::Tensor run_form(torch::jit::Module& module, const torch::Tensor& images) {
  torch::InferenceMode inference;
  return module.forward({images}).toTensor().to(torch::kFloat32).contiguous();
}

torch::Tensor run_eager(EncoderState& encoder, const torch::Tensor& images) {
  torch::InferenceMode inference;
  return encoder.eager_forward(images);
}

// Whether the form's output is the eager output up to rounding: folding batch norm reorders a few
// products per weight (seen: 6e-6 on ResNet-18's unnormalized representation); a traced graph
// that took another branch than the eager forward is off by far more.
std::string disagreement(const torch::Tensor& form, const torch::Tensor& eager) {
  if (form.sizes() != eager.sizes()) {
    std::ostringstream out;
    out << "its output has shape " << form.sizes() << " instead of " << eager.sizes();
    return out.str();
  }
  const double scale = eager.abs().nan_to_num(0).max().item<double>();
  if (torch::allclose(form, eager, 1e-4, 1e-4 * (1.0 + scale), /*equal_nan=*/true)) return "";
  std::ostringstream out;
  out << "its output differs from the eager forward's by up to " << (form - eager).abs().max().item<double>();
  return out.str();
}

// libtorch's CPU autocast for bfloat16 on this thread, undone on scope exit.
class Bf16Autocast {
 public:
  Bf16Autocast() : previous_dtype_(at::autocast::get_autocast_cpu_dtype()), previous_(at::autocast::is_cpu_enabled()) {
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
  ~Bf16Autocast() {
    at::autocast::clear_cache();
    at::autocast::set_cpu_enabled(previous_);
    at::autocast::set_autocast_cpu_dtype(previous_dtype_);
  }

 private:
  at::ScalarType previous_dtype_;
  bool previous_;
};

}  // namespace

torch::Tensor InferenceForms::forward(EncoderState& encoder, const torch::Tensor& images, const InferenceOptions& options) {
  CallThreads threads(options.threads);
  if (options.precision == Precision::bf16) {
    Bf16Autocast autocast;
    return run_eager(encoder, images).to(torch::kFloat32).contiguous();
  }
  if (!options.graph || dropped_) return run_eager(encoder, images);
  const std::vector<int64_t> shape = images.sizes().vec();
  auto found = forms_.find(shape);
  if (found != forms_.end()) return run_form(found->second.module, images);

  torch::Tensor eager = run_eager(encoder, images);
  torch::jit::Module module;
  try {
    module = build_form(encoder, images);
    torch::Tensor form = run_form(module, images);
    const std::string why = disagreement(form, eager);
    if (!why.empty()) {
      dropped_ = true;
      set_status("eager: the graph was dropped: " + why);
      return eager;
    }
    if (forms_.size() >= kMaxForms) forms_.clear();
    forms_.emplace(shape, Form{std::move(module)});
    set_status("graph");
    return form;
  } catch (const c10::Error& error) {
    const std::string what = error.what_without_backtrace();
    dropped_ = true;
    set_status("eager: libtorch could not build its graph (" + what.substr(0, what.find('\n')) + ")");
    return eager;
  }
}

void InferenceForms::set_status(const std::string& status) {
  std::lock_guard<std::mutex> lock(status_mutex_);
  status_ = status;
}

std::string InferenceForms::describe() const {
  std::lock_guard<std::mutex> lock(status_mutex_);
  return status_;
}

// at::get_num_threads first: ATen sets a thread's OpenMP count from the process-wide one at the
// thread's first parallel op, which would otherwise undo this call's count on a fresh worker thread.
CallThreads::CallThreads(int threads) : previous_(threads > 0 ? at::get_num_threads() : 0) {
  if (threads > 0) omp_set_num_threads(threads);
}

CallThreads::~CallThreads() {
  if (previous_ > 0) omp_set_num_threads(previous_);
}

}  // namespace sslmem
