// Implements layer_readout.h.
#include "layer_readout.h"

#include <torch/csrc/jit/api/compilation_unit.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>

#include <algorithm>
#include <map>

#include "../kernels/errors.h"

namespace sslmem {

namespace {

namespace jit = torch::jit;

// The submodule calls on `owner` (a module value) in the graph's top-level block (a call inside an
// `if` or a loop is not a layer of every pass), by child name, in call order, with how often each
// child is called there.
struct OwnerCalls {
  std::vector<std::pair<std::string, jit::Node*>> calls;
  std::map<std::string, int> times;
};

OwnerCalls calls_on(jit::Graph& graph, jit::Value* owner) {
  OwnerCalls found;
  for (jit::Node* node : graph.nodes()) {
    if (node->kind() != c10::prim::CallMethod || node->s(c10::attr::name) != "forward") continue;
    jit::Node* attr = node->input(0)->node();
    if (attr->kind() != c10::prim::GetAttr || attr->input(0) != owner) continue;
    const std::string child = attr->s(c10::attr::name);
    if (++found.times[child] == 1) found.calls.emplace_back(child, node);
  }
  return found;
}

bool returns_tensor(const jit::Node* call) {
  return call->outputs().size() == 1 && call->output()->type()->isSubtypeOf(*c10::TensorType::get());
}

// forward's direct submodule calls that are layers: called once, returning a tensor.
std::vector<std::pair<std::string, jit::Node*>> child_calls(jit::Graph& graph) {
  auto found = calls_on(graph, graph.inputs().at(0));
  std::vector<std::pair<std::string, jit::Node*>> calls;
  for (const auto& call : found.calls) {
    if (call.first != kScriptOutput && found.times[call.first] == 1 && returns_tensor(call.second)) calls.push_back(call);
  }
  return calls;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot = path.find('.'); ; dot = path.find('.', start)) {
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// Finds the values of dotted submodule paths ("layer1.0.conv1") in `graph` (a copy of forward's).
// Each module on a path must be called exactly once at the top level of its parent's forward; the
// parents' calls are inlined into `graph` (from their unoptimized graphs, which keep their own
// submodule calls), so the last call lands in the top-level block where its result can be
// returned. Inlining changes no arithmetic: the same ops run in the same order. Paths must be asked
// for shallowest first: inlining a module's call removes that call, so a path is found only while
// no deeper path through it has been resolved (an inlined module's value is remembered for the
// deeper paths that pass through it).
class PathResolver {
 public:
  explicit PathResolver(jit::Graph& graph) : graph_(graph) {}

  // The path's value, or nullptr when the path is not a layer.
  jit::Value* output_of(const std::string& path) {
    const auto parts = split_path(path);
    jit::Value* owner = graph_.inputs().at(0);
    std::string prefix;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (parts[i].empty() || (i == 0 && parts[i] == kScriptOutput)) return nullptr;
      prefix += (i ? "." : "") + parts[i];
      const bool last = i + 1 == parts.size();
      if (!last) {
        auto done = inlined_.find(prefix);
        if (done != inlined_.end()) {
          owner = done->second;
          continue;
        }
      }
      auto found = calls_on(graph_, owner);
      auto it = std::find_if(found.calls.begin(), found.calls.end(), [&](const auto& call) { return call.first == parts[i]; });
      if (it == found.calls.end() || found.times[parts[i]] != 1) return nullptr;
      jit::Node* call = it->second;
      if (last) return returns_tensor(call) ? call->output() : nullptr;
      jit::Value* child = call->input(0);
      auto type = child->type()->cast<c10::ClassType>();
      torch::jit::Function* forward = type ? type->findMethod("forward") : nullptr;
      if (!forward) return nullptr;
      auto& callee = jit::toGraphFunction(*forward);
      jit::inlineCallTo(call, &callee, callee.graph().get());
      inlined_[prefix] = child;
      owner = child;
    }
    return nullptr;
  }

 private:
  jit::Graph& graph_;
  std::map<std::string, jit::Value*> inlined_;  // module path -> its module value, once its forward is inlined
};

size_t depth(const std::string& path) { return static_cast<size_t>(std::count(path.begin(), path.end(), '.')); }

std::string join(const std::vector<std::string>& names, const std::string& separator) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : separator) + name;
  return out;
}

// What a dotted TorchScript layer name must be.
constexpr const char* kScriptPathExpectation =
    "a dotted path to a submodule that each forward on the way calls once at its top level and that returns a tensor (e.g. layer1.0)";

[[noreturn]] void unknown_layer(const std::string& arg, const std::string& name, const std::vector<std::string>& known, bool script) {
  throw_range(arg, "a layer of this encoder (" + join(known, ", ") + (script ? "; or a dotted submodule path such as layer1.0" : "") + ")", "\"" + name + "\"");
}

}  // namespace

std::vector<std::string> script_layer_names(const torch::jit::script::Module& module) {
  auto graph = module.get_method("forward").graph()->copy();
  std::vector<std::string> names;
  for (const auto& call : child_calls(*graph)) names.push_back(call.first);
  names.push_back(kScriptOutput);
  return names;
}

bool script_has_layer(const torch::jit::script::Module& module, const std::string& name) {
  if (name == kScriptOutput) return true;
  auto graph = module.get_method("forward").graph()->copy();
  return PathResolver(*graph).output_of(name) != nullptr;
}

std::vector<torch::Tensor> script_layers(torch::jit::script::Module& module, const torch::Tensor& images, const std::vector<std::string>& names,
                                         const std::string& arg) {
  // One compiled method per set of names, kept on the module's type for later batches.
  const std::string method = "__sslmem_layers_" + std::to_string(std::hash<std::string>{}(join(names, "\n")));
  if (!module.find_method(method)) {
    auto graph = module.get_method("forward").graph()->copy();
    // Shallowest paths first (see PathResolver). Each value is registered as an extra graph output
    // as soon as it is found: a deeper path's inlining replaces the call it came from, and
    // replaceAllUsesWith keeps the registered outputs current.
    std::vector<size_t> order(names.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return depth(names[a]) < depth(names[b]); });
    PathResolver resolver(*graph);
    std::vector<size_t> slot(names.size());
    for (size_t k : order) {
      jit::Value* value = names[k] == kScriptOutput ? graph->outputs().at(0) : resolver.output_of(names[k]);
      if (!value) {
        throw_range(arg + "[" + to_text(k) + "]", "a layer of this encoder (" + join(script_layer_names(module), ", ") + ") or " + kScriptPathExpectation, "\"" + names[k] + "\"");
      }
      slot[k] = graph->outputs().size();
      graph->registerOutput(value);
    }
    std::vector<jit::Value*> outputs;
    for (size_t k = 0; k < names.size(); ++k) outputs.push_back(graph->outputs().at(slot[k]));
    while (!graph->outputs().empty()) graph->eraseOutput(0);
    graph->registerOutput(graph->insertNode(graph->createTuple(outputs))->output());
    jit::EliminateDeadCode(graph);
    auto unit = module._ivalue()->compilation_unit();
    auto* function = unit->create_function(c10::QualifiedName(*module.type()->name(), method), graph);
    module.type()->addMethod(function);
  }
  auto result = module.get_method(method)({images}).toTuple();
  std::vector<torch::Tensor> out;
  for (const auto& value : result->elements()) out.push_back(value.toTensor());
  return out;
}

bool has_layer(EncoderState& encoder, const std::string& name) {
  if (encoder.script) {
    std::lock_guard<std::mutex> lock(encoder.mutex);
    return script_has_layer(*encoder.script, name);
  }
  const auto known = layer_names(encoder);
  return std::find(known.begin(), known.end(), name) != known.end();
}

std::vector<std::string> layer_names(EncoderState& encoder) {
  if (encoder.script) {
    std::lock_guard<std::mutex> lock(encoder.mutex);
    return script_layer_names(*encoder.script);
  }
  return find_architecture(encoder.spec.architecture, "architecture").layers(encoder.spec);
}

std::vector<torch::Tensor> embed_layers_batch(EncoderState& encoder, const torch::Tensor& images, const std::vector<std::string>& names,
                                              const std::string& arg, bool channel_means) {
  const auto known = layer_names(encoder);
  std::vector<int64_t> wanted;
  for (size_t k = 0; k < names.size(); ++k) {
    auto it = std::find(known.begin(), known.end(), names[k]);
    // A TorchScript import also reads dotted submodule paths; script_layers checks those.
    const bool path = encoder.script && names[k].find('.') != std::string::npos;
    if (it == known.end() && !path) unknown_layer(arg + "[" + to_text(k) + "]", names[k], known, static_cast<bool>(encoder.script));
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(k), names[k]) != names.begin() + static_cast<std::ptrdiff_t>(k)) {
      throw_range(arg + "[" + to_text(k) + "]", "each layer once", "\"" + names[k] + "\" again");
    }
    if (!path) wanted.push_back(it - known.begin());
  }
  std::lock_guard<std::mutex> lock(encoder.mutex);
  torch::InferenceMode inference;
  std::vector<torch::Tensor> outputs;
  if (encoder.script) {
    encoder.script->eval();
    outputs = script_layers(*encoder.script, images, names, arg);
  } else {
    encoder.net->eval();
    LayerTap tap(wanted);
    encoder.net->forward_layers(images, tap);
    outputs = tap.outputs();
  }
  for (auto& output : outputs) {
    if (channel_means && output.dim() == 4) output = output.mean({2, 3});
    output = output.to(torch::kFloat32).flatten(1).contiguous();
  }
  return outputs;
}

}  // namespace sslmem
