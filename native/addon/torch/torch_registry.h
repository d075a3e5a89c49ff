// Registration hooks of the torch tier: each torch capability adds its functions to the exports.
#pragma once

#include <napi.h>

namespace sslmem {

void RegisterTorchInfo(Napi::Env env, Napi::Object exports);  // torch_info.cc
void RegisterBlasInfo(Napi::Env env, Napi::Object exports);   // blas_info.cc
void RegisterEval(Napi::Env env, Napi::Object exports);       // eval_binding.cc (linear probe, kNN)
void RegisterEncoder(Napi::Env env, Napi::Object exports);    // encoder_binding.cc
void RegisterTrain(Napi::Env env, Napi::Object exports);      // train_binding.cc
void RegisterDistributed(Napi::Env env, Napi::Object exports);  // distributed_binding.cc
void RegisterCatalog(Napi::Env env, Napi::Object exports);      // catalog_binding.cc (methods, losses, architectures)

}  // namespace sslmem
