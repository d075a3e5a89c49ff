#include "distributed.h"

#ifdef SSLMEM_WITH_DISTRIBUTED
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <vector>

#include "../kernels/errors.h"

namespace sslmem {

void validate_distributed_config(const DistributedConfig& c) {
  if (c.world_size < 1) throw_range("distributed.worldSize", "an integer >= 1", to_text(c.world_size));
  if (c.rank < 0 || c.rank >= c.world_size) {
    throw_range("distributed.rank", "an integer in [0, " + to_text(c.world_size - 1) + "]", to_text(c.rank));
  }
  if (c.master_port < 1 || c.master_port > 65535) {
    throw_range("distributed.masterPort", "a port in [1, 65535]", to_text(c.master_port));
  }
  if (c.master_addr.empty()) throw_range("distributed.masterAddr", "a host name or address", "an empty string");
  if (c.backend != "gloo" && c.backend != "nccl") {
    throw_range("distributed.backend", "\"gloo\" or \"nccl\"", "\"" + c.backend + "\"");
  }
  if (c.timeout_ms < 1) throw_range("distributed.timeoutMs", "a positive integer", to_text(c.timeout_ms));
}

DistributedGroup::DistributedGroup(const DistributedConfig& config) : config_(config) {
  validate_distributed_config(config_);
  const auto timeout = std::chrono::milliseconds(config_.timeout_ms);
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<std::uint16_t>(config_.master_port);
    store_options.isServer = config_.rank == 0;
    store_options.numWorkers = static_cast<std::size_t>(config_.world_size);
    store_options.waitWorkers = true;
    store_options.timeout = timeout;
    store_ = c10::make_intrusive<c10d::TCPStore>(config_.master_addr, store_options);
    if (config_.backend == "nccl") {
#ifdef USE_C10D_NCCL
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = timeout;
      group_ = c10::make_intrusive<c10d::ProcessGroupNCCL>(store_, config_.rank, config_.world_size, options);
#else
      throw_runtime("ERR_SSLMEM_CUDA_UNAVAILABLE",
                    "Expected a libtorch built with NCCL for distributed.backend \"nccl\" but this torch tier has none; "
                    "use \"gloo\" or rebuild with a CUDA libtorch (npm run build:torch -- --libtorch DIR)");
#endif
    } else {
      auto options = c10d::ProcessGroupGloo::Options::create(timeout);
      // Bind to the interface that reaches the master: loopback for a local group, the host's
      // own address otherwise (Gloo resolves this machine's hostname).
      const bool local = config_.master_addr == "127.0.0.1" || config_.master_addr == "localhost";
      options->devices.push_back(local ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                       : c10d::ProcessGroupGloo::createDefaultDevice());
      group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, config_.rank, config_.world_size, options);
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw_runtime("ERR_SSLMEM_DISTRIBUTED",
                  "Could not join the process group (rank " + to_text(config_.rank) + " of " +
                      to_text(config_.world_size) + ", master " + config_.master_addr + ":" +
                      to_text(config_.master_port) + ", backend " + config_.backend + "): " + e.what());
  }
}

DistributedGroup::~DistributedGroup() = default;

void DistributedGroup::broadcast(const std::vector<torch::Tensor>& tensors, int root) {
  if (config_.world_size == 1) return;
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) {
    std::vector<at::Tensor> one{t};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    group_->broadcast(one, options)->wait();
  }
}

void DistributedGroup::average(const std::vector<torch::Tensor>& tensors) {
  if (config_.world_size == 1 || tensors.empty()) return;
  torch::NoGradGuard no_grad;
  // One flat bucket: a single collective per call instead of one per tensor.
  std::vector<at::Tensor> flat;
  for (const auto& t : tensors) flat.push_back(t.reshape(-1));  // all of one dtype (gradients, float buffers)
  std::vector<at::Tensor> bucket{torch::cat(flat)};
  group_->allreduce(bucket)->wait();
  bucket[0].div_(static_cast<double>(config_.world_size));
  int64_t offset = 0;
  for (const auto& t : tensors) {
    const int64_t n = t.numel();
    t.copy_(bucket[0].narrow(0, offset, n).view(t.sizes()));
    offset += n;
  }
}

torch::Tensor DistributedGroup::all_reduce_sum(torch::Tensor tensor) {
  if (config_.world_size == 1) return tensor;
  std::vector<at::Tensor> one{tensor};
  group_->allreduce(one)->wait();
  return tensor;
}

void DistributedGroup::barrier() {
  if (config_.world_size == 1) return;
  group_->barrier()->wait();
}

std::shared_ptr<Collective> join_process_group(const DistributedConfig& config) {
  return std::make_shared<DistributedGroup>(config);
}

}  // namespace sslmem

#else  // no c10d in this torch tier

#include "../kernels/errors.h"

namespace sslmem {

std::shared_ptr<Collective> join_process_group(const DistributedConfig&) {
  throw_runtime("ERR_SSLMEM_DISTRIBUTED_UNAVAILABLE",
                "This torch tier was built without c10d's Gloo headers; install libgloo-dev (Debian) or use a libtorch that "
                "ships them, then run npm run build:torch");
}

}  // namespace sslmem

#endif  // SSLMEM_WITH_DISTRIBUTED
