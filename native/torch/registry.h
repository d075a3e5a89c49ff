// A registry of named entries filled by static initialisers (one per method file, one per
// architecture file): the one implementation behind methods/method.h and encoders/encoder.h.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "../kernels/errors.h"

namespace sslmem {

template <typename Entry>
class NamedRegistry {
 public:
  // Function-local storage: registrations from other files' static initialisers find it built.
  static NamedRegistry& instance() {
    static NamedRegistry registry;
    return registry;
  }

  bool add(Entry entry) {
    const std::string name = entry.name;
    entries_.emplace(name, std::move(entry));
    return true;
  }

  // RangeError naming `arg` and listing the registered names when `name` is not one of them.
  const Entry& find(const std::string& name, const std::string& arg) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      std::string known;
      for (const auto& entry : entries_) known += (known.empty() ? "one of \"" : ", \"") + entry.first + "\"";
      throw_range(arg, known, "\"" + name + "\"");
    }
    return it->second;
  }

  // Sorted by name.
  std::vector<const Entry*> all() const {
    std::vector<const Entry*> out;
    for (const auto& entry : entries_) out.push_back(&entry.second);
    return out;
  }

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace sslmem
