// Data-parallel training across processes and machines with libtorch's own distributed engine
// (c10d): a TCPStore rendezvous hosted by rank 0, then a Gloo process group on CPU or NCCL on
// GPU (when libtorch was built with it). Launch is torchrun-style (RANK, WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT), so Slurm or Kubernetes can start the processes. No home-made cluster code.
#pragma once
// Compiled only when the build found c10d's Gloo headers (SSLMEM_WITH_DISTRIBUTED, see CMakeLists.txt);
// otherwise distributed_binding.cc reports that this torch tier has no distributed support.

#include <torch/torch.h>

#include <memory>
#include <string>

namespace c10d {
class ProcessGroup;
class Store;
}  // namespace c10d

namespace sslmem {

struct DistributedConfig {
  int rank = 0;
  int world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::string backend = "gloo";  // "gloo" (CPU tensors) or "nccl" (CUDA tensors)
  int timeout_ms = 300000;
};

// One process's membership in a process group. Every collective must be called by every rank in
// the same order (c10d's rule); the training loop guarantees it by running the same steps on all.
class DistributedGroup {
 public:
  explicit DistributedGroup(const DistributedConfig& config);
  ~DistributedGroup();

  int rank() const { return config_.rank; }
  int world_size() const { return config_.world_size; }
  const std::string& backend() const { return config_.backend; }

  // Copies rank `root`'s parameters and buffers to every rank, so all start identical.
  void broadcast_module(torch::nn::Module& module, int root = 0);
  // Replaces every gradient by its mean over the ranks (one flattened bucket per call).
  void average_gradients(torch::nn::Module& module);
  // Sum of `tensor` over the ranks, in place; returns it.
  torch::Tensor all_reduce_sum(torch::Tensor tensor);
  void barrier();

 private:
  DistributedConfig config_;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<c10d::ProcessGroup> group_;
};

// Checks a config and throws sslmem::Error naming the field on a bad value.
void validate_distributed_config(const DistributedConfig& config);

}  // namespace sslmem
