// What data-parallel training needs from a process group. distributed.h implements it with
// libtorch's c10d (Gloo, NCCL); the training loop sees only this interface, so it builds and runs
// the same whether or not the torch tier has c10d.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace sslmem {

class Collective {
 public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // Copies rank `root`'s tensors into every rank's (same order and shapes on all ranks).
  virtual void broadcast(const std::vector<torch::Tensor>& tensors, int root) = 0;
  // Replaces each tensor by its mean over the ranks (one flattened bucket per call).
  virtual void average(const std::vector<torch::Tensor>& tensors) = 0;
  // Sum of `tensor` over the ranks, in place; returns it.
  virtual torch::Tensor all_reduce_sum(torch::Tensor tensor) = 0;
  virtual void barrier() = 0;

  // Rank `root`'s parameters and buffers reach every rank, so all start identical.
  void broadcast_module(torch::nn::Module& module, int root = 0) {
    std::vector<torch::Tensor> tensors = module.parameters();
    for (auto& b : module.buffers()) tensors.push_back(b);
    broadcast(tensors, root);
  }
};

}  // namespace sslmem
