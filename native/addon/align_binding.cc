// Placeholder replaced by the align capability's binding.
#include "registry.h"

namespace sslmem {
void RegisterAlign(Napi::Env, Napi::Object) {}
}  // namespace sslmem
