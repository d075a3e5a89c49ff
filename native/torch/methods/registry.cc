// Implements the registries of method.h and the option resolution every method shares.
#include <algorithm>

#include "../../kernels/errors.h"
#include "../registry.h"
#include "method.h"

namespace sslmem {

bool register_method(MethodSpec spec) { return NamedRegistry<MethodSpec>::instance().add(std::move(spec)); }
bool register_loss(LossFunction loss) { return NamedRegistry<LossFunction>::instance().add(std::move(loss)); }
const MethodSpec& find_method(const std::string& name, const std::string& arg) { return NamedRegistry<MethodSpec>::instance().find(name, arg); }
const LossFunction& find_loss(const std::string& name, const std::string& arg) { return NamedRegistry<LossFunction>::instance().find(name, arg); }
std::vector<const MethodSpec*> all_methods() { return NamedRegistry<MethodSpec>::instance().all(); }
std::vector<const LossFunction*> all_losses() { return NamedRegistry<LossFunction>::instance().all(); }

MethodOptionValues resolve_options(const std::vector<MethodOption>& options, const std::map<std::string, double>& given,
                                   const std::string& arg) {
  MethodOptionValues out;
  for (const auto& option : options) out[option.name] = option.default_value;
  for (const auto& [name, value] : given) {
    auto it = std::find_if(options.begin(), options.end(), [&](const MethodOption& o) { return o.name == name; });
    if (it == options.end()) {
      std::string known;
      for (const auto& o : options) known += (known.empty() ? "" : ", ") + o.name;
      throw_range(arg + "." + name, known.empty() ? "no option (this method has none)" : "an option of this method (" + known + ")", "\"" + name + "\"");
    }
    const bool above_min = it->min_exclusive ? value > it->min : value >= it->min;
    if (!(above_min && value <= it->max)) {
      // max 1e300 stands for no upper bound (as in lib/train/methods.ts describeRange).
      const std::string range = it->max >= 1e300 ? std::string(it->min_exclusive ? "a number > " : "a number >= ") + to_text(it->min)
                                                 : std::string("a number in ") + (it->min_exclusive ? "(" : "[") + to_text(it->min) + ", " +
                                                       to_text(it->max) + "]";
      throw_range(arg + "." + name, range, to_text(value));
    }
    out[name] = value;
  }
  return out;
}

void check_pair(const torch::Tensor& a, const torch::Tensor& b, const char* what, int64_t min_batch) {
  if (a.dim() != 2 || a.sizes() != b.sizes()) {
    throw_range(what, "two [B, D] tensors of the same shape", to_text(a.sizes()) + " and " + to_text(b.sizes()));
  }
  if (a.size(0) < min_batch) {
    throw_range(std::string(what) + " batch size", "at least " + to_text(min_batch), to_text(a.size(0)));
  }
}

}  // namespace sslmem
