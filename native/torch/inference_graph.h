// Scoring's forward pass, executed for speed (issue 15). The eager forward (EncoderState::
// embed_batch) runs every op the way the model was written: batch norm as its own op, each
// convolution reordering its weights and activations into oneDNN's blocked layout and back on every
// call. The inference form is the graph libtorch's own freeze + optimize_for_inference produce (the
// C++ side of torch.jit.freeze and torch.jit.optimize_for_inference): weights become constants,
// batch norm is folded into the convolution or linear before it, convolutions are prepacked for
// oneDNN and their activations stay blocked between them. TorchScript imports are frozen as they
// are; native backbones are first traced at the input shape they run at (a forward may read sizes,
// so each shape gets its own graph).
//
// Every form is checked against the eager forward on its first batch: one that disagrees by more
// than rounding is dropped for good and the eager forward used, so the optimization can only change
// speed, never the scores (beyond rounding: folding changes the order of a few products).
//
// bf16 (opt-in): the eager forward under libtorch's CPU autocast, which runs convolutions and
// matrix products in bfloat16 (accumulating in fp32) and everything else in fp32. Fast where the
// CPU has AVX-512-BF16 or AMX (native_bf16(), kernels/cpu_features.h); elsewhere libtorch emulates it, slower than fp32.
#pragma once

#include <torch/script.h>
#include <torch/torch.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace sslmem {

struct EncoderState;

enum class Precision { fp32, bf16 };

struct InferenceOptions {
  bool graph = true;                    // the inference form (false: the eager forward)
  Precision precision = Precision::fp32;
  int threads = 0;                      // libtorch threads for this call on this thread; 0 = as set
};

// Forms already built for one encoder, by input shape. forward() runs under the encoder's mutex;
// describe() may be called from any thread meanwhile.
class InferenceForms {
 public:
  // Representations [B, D] (fp32, contiguous) of normalized images [B, C, H, W].
  torch::Tensor forward(EncoderState& encoder, const torch::Tensor& images, const InferenceOptions& options);
  // "graph" once a form ran, "eager" before, or "eager: WHY" once the forms were given up.
  std::string describe() const;

 private:
  struct Form {
    torch::jit::Module module;
  };
  void set_status(const std::string& status);

  std::map<std::vector<int64_t>, Form> forms_;
  bool dropped_ = false;            // the forms were given up for this encoder
  mutable std::mutex status_mutex_;
  std::string status_ = "eager";    // what describe() says
};

// Sets libtorch's (OpenMP) thread count for the calling thread only and restores it on scope exit;
// at::set_num_threads would also change the count every new thread starts from.
class CallThreads {
 public:
  explicit CallThreads(int threads);
  ~CallThreads();
  CallThreads(const CallThreads&) = delete;
  CallThreads& operator=(const CallThreads&) = delete;

 private:
  int previous_ = 0;
};

}  // namespace sslmem
