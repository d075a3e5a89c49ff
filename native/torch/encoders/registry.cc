// Implements the registry half of encoder.h: lookup, validation and weight copying.
#include <algorithm>
#include <cmath>
#include <map>

#include "../../kernels/errors.h"
#include "encoder.h"

namespace sslmem {

namespace {

// Function-local so that registrations from other files' static initialisers find it constructed.
std::map<std::string, ArchitectureSpec>& registry() {
  static std::map<std::string, ArchitectureSpec> architectures;
  return architectures;
}

std::string known_names() {
  std::string out;
  for (const auto& [name, spec] : registry()) out += (out.empty() ? "one of \"" : ", \"") + name + "\"";
  return out;
}

}  // namespace

bool register_architecture(ArchitectureSpec spec) {
  const std::string name = spec.name;
  registry().emplace(name, std::move(spec));
  return true;
}

const ArchitectureSpec& find_architecture(const std::string& name, const std::string& arg) {
  auto it = registry().find(name);
  if (it == registry().end()) throw_range(arg, known_names(), "\"" + name + "\"");
  return it->second;
}

std::vector<const ArchitectureSpec*> all_architectures() {
  std::vector<const ArchitectureSpec*> out;
  for (const auto& [name, spec] : registry()) out.push_back(&spec);
  return out;
}

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
