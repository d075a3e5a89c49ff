// A loaded encoder on the native side: a libtorch backbone built here (encoders.h) or a
// TorchScript module exported from PyTorch, plus its JSON description (owned and written by the
// TS façade; stored verbatim). Shared between JS handles and worker threads by shared_ptr.
#pragma once

#include <torch/script.h>
#include <torch/torch.h>

#include <memory>
#include <mutex>
#include <string>

#include "encoders/encoder.h"
#include "inference_graph.h"

namespace sslmem {

struct EncoderState {
  BackboneSpec spec;                                // architecture "torchscript" for imported modules
  std::shared_ptr<BackboneImpl> net;                // native backbone, or
  std::shared_ptr<torch::jit::script::Module> script;  // an imported TorchScript module
  std::string script_bytes;                         // the TorchScript archive, kept to save it again
  int64_t repr_dim = 0;
  std::string description;                          // JSON text (see lib/encoder/description.ts)
  std::mutex mutex;                                 // one forward pass at a time (train/eval flags)
  InferenceForms inference;                         // scoring's frozen graphs (inference_graph.h)

  // Representations [B, D] of normalized images [B, C, H, W] in inference mode (eval BN, no grad),
  // by the eager forward (training's monitors, kNN) under the lock.
  torch::Tensor embed_batch(const torch::Tensor& images);
  // The same through the inference form (scoring, embedding), under the lock.
  torch::Tensor embed_inference(const torch::Tensor& images, const InferenceOptions& options);
  // The eager forward in eval mode; the caller holds `mutex` and an InferenceMode guard.
  torch::Tensor eager_forward(const torch::Tensor& images);
};

// A fresh native encoder: seeds libtorch's generator with `seed` under a process-wide lock so
// that concurrent creations cannot interleave draws.
std::shared_ptr<EncoderState> create_encoder(const BackboneSpec& spec, uint64_t seed);

// A copy with its own weights (training starts from a copy; the original stays usable).
std::shared_ptr<EncoderState> clone_encoder(const EncoderState& source);

// Bytes of memory the encoder holds natively: its parameters and buffers (or the TorchScript
// module's) plus the kept archive. The JS handle reports them to V8 as external memory.
inline size_t encoder_bytes(const EncoderState& state) {
  size_t bytes = state.script_bytes.size();
  auto add = [&bytes](const torch::Tensor& t) {
    if (t.defined()) bytes += static_cast<size_t>(t.numel()) * t.element_size();
  };
  if (state.net) {
    for (const auto& p : state.net->parameters()) add(p);
    for (const auto& b : state.net->buffers()) add(b);
  }
  if (state.script) {
    for (const auto& p : state.script->parameters()) add(p);
    for (const auto& b : state.script->buffers()) add(b);
  }
  return bytes;
}

// Serialises libtorch's global generator: manual_seed and the draws that follow it must not
// interleave with another thread's draws. Recursive, because make_backbone takes it too (every
// construction draws default initialisations, even one whose values are then overwritten).
std::recursive_mutex& torch_seed_mutex();

}  // namespace sslmem
