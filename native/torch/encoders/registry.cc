// Implements the registry half of encoder.h: lookup, validation and weight copying.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "../../kernels/errors.h"
#include "../encoder_state.h"
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

void resolve_settings(BackboneSpec& spec) {
  const auto& architecture = find_architecture(spec.architecture, "architecture");
  for (const auto& [name, value] : spec.settings) {
    auto it = std::find_if(architecture.settings.begin(), architecture.settings.end(), [&](const ArchitectureSetting& s) { return s.name == name; });
    if (it == architecture.settings.end()) {
      std::string known;
      for (const auto& s : architecture.settings) known += (known.empty() ? "" : ", ") + s.name;
      throw_range("settings." + name, known.empty() ? "no setting (" + architecture.name + " has none)" : "a setting of " + architecture.name + " (" + known + ")",
                  "\"" + name + "\"");
    }
    if (it->choices.empty()) {
      char* end = nullptr;
      const long long number = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || number < 1) throw_range("settings." + name, "a positive integer", "\"" + value + "\"");
    } else if (std::find(it->choices.begin(), it->choices.end(), value) == it->choices.end()) {
      std::string choices;
      for (const auto& c : it->choices) choices += (choices.empty() ? "one of \"" : ", \"") + c + "\"";
      throw_range("settings." + name, choices, "\"" + value + "\"");
    }
  }
  for (const auto& setting : architecture.settings) spec.settings.emplace(setting.name, setting.default_value);
}

int64_t integer_setting(const BackboneSpec& spec, const std::string& name) { return std::stoll(spec.settings.at(name)); }

std::shared_ptr<BackboneImpl> make_backbone(const BackboneSpec& spec) {
  if (spec.channels < 1 || spec.channels > 64) throw_range("inputShape[0]", "a channel count in [1, 64]", to_text(spec.channels));
  if (!(spec.width > 0 && spec.width <= 16)) throw_range("width", "a number in (0, 16]", to_text(spec.width));
  const auto& architecture = find_architecture(spec.architecture, "architecture");
  if (spec.height < architecture.min_size || spec.width_px < architecture.min_size) {
    throw_range("inputShape", "H and W >= " + to_text(architecture.min_size) + " for " + architecture.name,
                to_text(spec.height) + "x" + to_text(spec.width_px));
  }
  BackboneSpec resolved = spec;
  resolve_settings(resolved);
  std::lock_guard<std::recursive_mutex> lock(torch_seed_mutex());
  return architecture.build(resolved);
}

LayerTap::LayerTap(std::vector<int64_t> wanted) : wanted_(std::move(wanted)), outputs_(wanted_.size()) {}

bool LayerTap::offer(int64_t i, const torch::Tensor& x) {
  for (size_t k = 0; k < wanted_.size(); ++k) {
    if (wanted_[k] == i && !outputs_[k].defined()) {
      outputs_[k] = x;
      ++kept_;
    }
  }
  return !wanted_.empty() && kept_ == wanted_.size();
}

std::function<std::vector<std::string>(const BackboneSpec&)> fixed_layers(std::vector<std::string> names) {
  return [names = std::move(names)](const BackboneSpec&) { return names; };
}

std::vector<std::string> default_layers(const ArchitectureSpec& architecture) {
  BackboneSpec spec;
  spec.architecture = architecture.name;
  resolve_settings(spec);
  return architecture.layers(spec);
}

void copy_module_state(torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  auto src_params = from.named_parameters(true);
  for (auto& item : to.named_parameters(true)) item.value().copy_(src_params[item.key()]);
  auto src_buffers = from.named_buffers(true);
  for (auto& item : to.named_buffers(true)) item.value().copy_(src_buffers[item.key()]);
}

}  // namespace sslmem
