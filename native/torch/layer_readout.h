// Layer read-outs of a loaded encoder (LayerMem, UnitMem): the outputs of named intermediate
// layers, all from one forward pass. Native backbones name their layers in the registry
// (ArchitectureSpec::layers) and offer them to a LayerTap; an imported TorchScript module's layers
// are the submodules its forward calls directly (`model.layer1(x)`), read by a method compiled from
// a copy of forward's graph that returns those calls' results (whatever comes after the last one
// is dead code and removed), so imported models need no change. Deeper submodules are read by
// dotted path ("layer1.0"): the calls along the path are inlined into that copy until the last
// one sits in its top-level block.
#pragma once

#include <torch/script.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "encoder_state.h"

namespace sslmem {

// The layers `encoder` can read out, input to output: the architecture's list for its settings, or
// for TorchScript the direct submodules that forward calls exactly once, returning a tensor, in
// call order, then kScriptOutput.
std::vector<std::string> layer_names(EncoderState& encoder);

// Outputs of the named layers for normalized images [B, C, H, W] in inference mode, each flattened
// to [B, D_layer] float32, in the order of `names`; one pass through the encoder. With
// `channel_means` (UnitMem's units), a [B, C, H, W] output becomes its per-channel spatial mean
// [B, C] first; other outputs are flattened (each value a unit). RangeError naming `arg[k]` for a
// name that is not one of layer_names() (or, for TorchScript, not a readable dotted path).
std::vector<torch::Tensor> embed_layers_batch(EncoderState& encoder, const torch::Tensor& images, const std::vector<std::string>& names,
                                              const std::string& arg, bool channel_means = false);

// The last layer of every TorchScript import: forward's own result (a child of that name is not a layer).
inline constexpr const char* kScriptOutput = "output";

// Whether embed_layers_batch can read `name`: one of layer_names(), or for TorchScript a dotted
// path to a submodule that each forward on the way calls once at its top level, returning a tensor.
bool has_layer(EncoderState& encoder, const std::string& name);

// TorchScript half of the above (exposed for tests of graphs without an EncoderState).
std::vector<std::string> script_layer_names(const torch::jit::script::Module& module);
bool script_has_layer(const torch::jit::script::Module& module, const std::string& name);
std::vector<torch::Tensor> script_layers(torch::jit::script::Module& module, const torch::Tensor& images, const std::vector<std::string>& names,
                                         const std::string& arg = "layers");

}  // namespace sslmem
