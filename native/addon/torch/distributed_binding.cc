// distributedCheck(config): joins the process group, all-reduces and broadcasts a small tensor,
// and leaves. It is how users (and our tests) check a cluster launch before a long training run.
#include "distributed_binding.h"

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "../args.h"
#include "../promise_worker.h"
#include "torch_registry.h"

namespace sslmem {

bool distributed_supported() {
#ifdef SSLMEM_WITH_DISTRIBUTED
  return true;
#else
  return false;
#endif
}

DistributedConfig read_distributed_config(const Napi::Value& value, const std::string& arg) {
  Napi::Object o = read_object(value, arg);
  DistributedConfig c;
  c.rank = static_cast<int>(read_int(o, "rank", arg + ".rank", c.rank));
  c.world_size = static_cast<int>(read_int(o, "worldSize", arg + ".worldSize", c.world_size));
  c.master_addr = read_string(o, "masterAddr", arg + ".masterAddr", c.master_addr);
  c.master_port = static_cast<int>(read_int(o, "masterPort", arg + ".masterPort", c.master_port));
  c.backend = read_string(o, "backend", arg + ".backend", c.backend);
  c.timeout_ms = static_cast<int>(read_int(o, "timeoutMs", arg + ".timeoutMs", c.timeout_ms));
  return c;
}

namespace {

struct CheckResult {
  int rank = 0;
  int world_size = 1;
  std::vector<double> sum;
  std::vector<double> broadcast;
};

Napi::Value DistributedCheck(const Napi::CallbackInfo& info) {
  return guarded(info, [](const Napi::CallbackInfo& info) -> Napi::Value {
    DistributedConfig config = read_distributed_config(info[0], "config");
    auto result = std::make_shared<CheckResult>();
    return PromiseWorker::Run(
        info.Env(), {},
        [config, result] {
          auto group = join_process_group(config);
          // NCCL reduces CUDA tensors only.
          const torch::Device device = config.backend == "nccl" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
          // Rank r contributes [r+1, 2(r+1)]: the sum is known in closed form, W(W+1)/2 * [1, 2].
          auto t = (torch::tensor({1.0, 2.0}, torch::kFloat64) * (group->rank() + 1)).to(device);
          group->all_reduce_sum(t);
          t = t.to(torch::kCPU);
          // Rank 0's module parameters reach everyone: each rank starts from its own value.
          torch::nn::Linear probe(1, 1);
          probe->to(device);
          {
            torch::NoGradGuard no_grad;
            probe->weight.fill_(static_cast<double>(group->rank() + 10));
            probe->bias.fill_(static_cast<double>(group->rank() + 20));
          }
          group->broadcast_module(*probe);
          group->barrier();
          result->rank = group->rank();
          result->world_size = group->world_size();
          result->sum = {t[0].item<double>(), t[1].item<double>()};
          probe->to(torch::kCPU);
          result->broadcast = {probe->weight.item<double>(), probe->bias.item<double>()};
        },
        [result](Napi::Env env) -> Napi::Value {
          Napi::Object out = Napi::Object::New(env);
          out.Set("rank", result->rank);
          out.Set("worldSize", result->world_size);
          Napi::Array sum = Napi::Array::New(env, result->sum.size());
          for (size_t i = 0; i < result->sum.size(); ++i) sum.Set(static_cast<uint32_t>(i), result->sum[i]);
          Napi::Array broadcast = Napi::Array::New(env, result->broadcast.size());
          for (size_t i = 0; i < result->broadcast.size(); ++i) broadcast.Set(static_cast<uint32_t>(i), result->broadcast[i]);
          out.Set("allReduceSum", sum);
          out.Set("broadcast", broadcast);
          return out;
        });
  });
}

}  // namespace

void RegisterDistributed(Napi::Env env, Napi::Object exports) {
  export_functions(env, exports, {{"distributedCheck", DistributedCheck}});
  exports.Set("distributedSupported", Napi::Boolean::New(env, distributed_supported()));
}

}  // namespace sslmem
