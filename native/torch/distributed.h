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
#include <vector>

#include "collective.h"

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
class DistributedGroup : public Collective {
 public:
  explicit DistributedGroup(const DistributedConfig& config);
  ~DistributedGroup() override;

  int rank() const override { return config_.rank; }
  int world_size() const override { return config_.world_size; }
  const std::string& backend() const { return config_.backend; }

  void broadcast(const std::vector<torch::Tensor>& tensors, int root) override;
  void average(const std::vector<torch::Tensor>& tensors) override;
  torch::Tensor all_reduce_sum(torch::Tensor tensor) override;
  void barrier() override;

 private:
  DistributedConfig config_;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<c10d::ProcessGroup> group_;
};

// Checks a config and throws sslmem::Error naming the field on a bad value.
void validate_distributed_config(const DistributedConfig& config);

// Joins the process group `config` describes (blocks until every rank has joined or the timeout
// passes). Throws ERR_SSLMEM_DISTRIBUTED_UNAVAILABLE where the torch tier was built without c10d.
std::shared_ptr<Collective> join_process_group(const DistributedConfig& config);

}  // namespace sslmem
