// Entry point of the torch tier addon (sslmem_torch.node): kernel functions plus libtorch work.
#include <napi.h>

#include "../backing_store.h"
#include "../registry.h"
#include "torch_registry.h"

namespace sslmem {

Napi::Object InitTorch(Napi::Env env, Napi::Object exports) {
  require_built_node(env, "sslmem_torch.node", "ERR_SSLMEM_TORCH_MISSING");
  for (auto register_capability : {RegisterCommon, RegisterTorchInfo, RegisterBlasInfo, RegisterEval, RegisterEncoder, RegisterTrain,
                                   RegisterDistributed, RegisterCatalog}) {
    register_capability(env, exports);
  }
  return exports;
}

}  // namespace sslmem

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return sslmem::InitTorch(env, exports); }

NODE_API_MODULE(sslmem_torch, Init)
