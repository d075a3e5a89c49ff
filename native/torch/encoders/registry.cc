// Implements the registry half of encoder.h: lookup, validation and weight copying.
#include <algorithm>
#include <cmath>

#include "../../kernels/errors.h"
#include "../registry.h"
#include "encoder.h"

namespace sslmem {

bool register_architecture(ArchitectureSpec spec) { return NamedRegistry<ArchitectureSpec>::instance().add(std::move(spec)); }

const ArchitectureSpec& find_architecture(const std::string& name, const std::string& arg) {
  return NamedRegistry<ArchitectureSpec>::instance().find(name, arg);
}

std::vector<const ArchitectureSpec*> all_architectures() { return NamedRegistry<ArchitectureSpec>::instance().all(); }

int64_t scaled_channels(int64_t base, double width) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::llround(static_cast<double>(base) * width)));
}

std::shared_ptr<BackboneImpl> make_backbone(const BackboneSpec& spec) {
  if (spec.channels < 1 || spec.channels > 64) throw_range("inputShape[0]", "a channel count in [1, 64]", to_text(spec.channels));
  if (!(spec.width > 0 && spec.width <= 16)) throw_range("width", "a number in (0, 16]", to_text(spec.width));
  const auto& architecture = find_architecture(spec.architecture, "architecture");
  if (spec.height < architecture.min_size || spec.width_px < architecture.min_size) {
    throw_range("inputShape", "H and W >= " + to_text(architecture.min_size) + " for " + architecture.name,
                to_text(spec.height) + "x" + to_text(spec.width_px));
  }
  return architecture.build(spec);
}

void copy_module_state(torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  auto src_params = from.named_parameters(true);
  for (auto& item : to.named_parameters(true)) item.value().copy_(src_params[item.key()]);
  auto src_buffers = from.named_buffers(true);
  for (auto& item : to.named_buffers(true)) item.value().copy_(src_buffers[item.key()]);
}

}  // namespace sslmem
