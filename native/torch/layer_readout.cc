// Implements layer_readout.h.
#include "layer_readout.h"

#include <torch/csrc/jit/api/compilation_unit.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>

#include <algorithm>
#include <map>

#include "../kernels/errors.h"

namespace sslmem {

namespace {

namespace jit = torch::jit;

// forward's direct submodule calls (top-level block only: a call inside an `if` or a loop is not a
// layer of every pass), by child name, in call order; a child called more than once is dropped.
std::vector<std::pair<std::string, jit::Node*>> child_calls(jit::Graph& graph) {
  std::vector<std::pair<std::string, jit::Node*>> calls;
  std::map<std::string, int> times;
  jit::Value* self = graph.inputs().at(0);
  for (jit::Node* node : graph.nodes()) {
    if (node->kind() != c10::prim::CallMethod || node->s(c10::attr::name) != "forward") continue;
    jit::Node* owner = node->input(0)->node();
    if (owner->kind() != c10::prim::GetAttr || owner->input(0) != self) continue;
    const std::string child = owner->s(c10::attr::name);
    if (child == kScriptOutput) continue;  // the name of forward's own result
    if (++times[child] == 1 && node->outputs().size() == 1 && node->output()->type()->isSubtypeOf(*c10::TensorType::get())) {
      calls.emplace_back(child, node);
    }
  }
  calls.erase(std::remove_if(calls.begin(), calls.end(), [&](const auto& call) { return times[call.first] > 1; }), calls.end());
  return calls;
}

std::string join(const std::vector<std::string>& names, const std::string& separator) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : separator) + name;
  return out;
}

[[noreturn]] void unknown_layer(const std::string& arg, const std::string& name, const std::vector<std::string>& known) {
  throw_range(arg, "a layer of this encoder (" + join(known, ", ") + ")", "\"" + name + "\"");
}

}  // namespace

std::vector<std::string> script_layer_names(const torch::jit::script::Module& module) {
  auto graph = module.get_method("forward").graph()->copy();
  std::vector<std::string> names;
  for (const auto& call : child_calls(*graph)) names.push_back(call.first);
  names.push_back(kScriptOutput);
  return names;
}

std::vector<torch::Tensor> script_layers(torch::jit::script::Module& module, const torch::Tensor& images, const std::vector<std::string>& names) {
  // One compiled method per set of names, kept on the module's type for later batches.
  const std::string method = "__sslmem_layers_" + std::to_string(std::hash<std::string>{}(join(names, "\n")));
  if (!module.find_method(method)) {
    auto graph = module.get_method("forward").graph()->copy();
    auto calls = child_calls(*graph);
    jit::Value* result = graph->outputs().at(0);
    std::vector<jit::Value*> outputs;
    for (const auto& name : names) {
      if (name == kScriptOutput) {
        outputs.push_back(result);
        continue;
      }
      auto it = std::find_if(calls.begin(), calls.end(), [&](const auto& call) { return call.first == name; });
      if (it == calls.end()) throw_range("layers", "a direct submodule that forward calls once", "\"" + name + "\"");
      outputs.push_back(it->second->output());
    }
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
    if (it == known.end()) unknown_layer(arg + "[" + to_text(k) + "]", names[k], known);
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(k), names[k]) != names.begin() + static_cast<std::ptrdiff_t>(k)) {
      throw_range(arg + "[" + to_text(k) + "]", "each layer once", "\"" + names[k] + "\" again");
    }
    wanted.push_back(it - known.begin());
  }
  std::lock_guard<std::mutex> lock(encoder.mutex);
  torch::InferenceMode inference;
  std::vector<torch::Tensor> outputs;
  if (encoder.script) {
    encoder.script->eval();
    outputs = script_layers(*encoder.script, images, names);
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
