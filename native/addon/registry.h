// Registration hooks: each capability's binding file adds its functions to the addon's exports.
// The kernel-tier hooks are compiled into both addons; the torch hooks only into the torch tier.
#pragma once

#include <napi.h>

namespace sslmem {

void RegisterCommon(Napi::Env env, Napi::Object exports);   // common_binding.cc
void RegisterAugment(Napi::Env env, Napi::Object exports);  // augment_binding.cc
void RegisterAlign(Napi::Env env, Napi::Object exports);    // align_binding.cc
void RegisterUnitMem(Napi::Env env, Napi::Object exports);  // unitmem_binding.cc

}  // namespace sslmem
