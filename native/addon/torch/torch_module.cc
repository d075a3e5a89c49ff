// Entry point of the torch tier addon (sslmem_torch.node): kernel functions plus libtorch work.
#include <napi.h>

#include "../registry.h"
#include "torch_registry.h"

namespace sslmem {

Napi::Object InitTorch(Napi::Env env, Napi::Object exports) {
  RegisterCommon(env, exports);
  RegisterTorchInfo(env, exports);
  RegisterBlasInfo(env, exports);
  RegisterEval(env, exports);
  RegisterEncoder(env, exports);
  RegisterTrain(env, exports);
  RegisterDistributed(env, exports);
  RegisterCatalog(env, exports);
  return exports;
}

}  // namespace sslmem

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return sslmem::InitTorch(env, exports); }

NODE_API_MODULE(sslmem_torch, Init)
