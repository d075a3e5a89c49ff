// Placeholder replaced by the augment capability's binding.
#include "registry.h"

namespace sslmem {
void RegisterAugment(Napi::Env, Napi::Object) {}
}  // namespace sslmem
