// Backbones: images [B, C, H, W] (float, normalized) -> the representation SSLMem aligns (before
// any projection head). Each architecture is one file in this folder that registers an
// ArchitectureSpec; creating, loading, the binding, `sslmem info` and the TypeScript façade read
// this registry and name no architecture.
//
// Adding an encoder: a file here (module + registration), its test, its doc (docs/encoders.md).
// Width w scales every channel count (w = 1 is the published model).
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sslmem {

// What identifies a backbone's shape: enough to rebuild it before loading weights.
struct BackboneSpec {
  std::string architecture;  // a registered name, or "torchscript" for imported modules
  int64_t channels = 1;
  int64_t height = 28;
  int64_t width_px = 28;
  double width = 1.0;  // channel multiplier
  // The architecture's own settings (ArchitectureSpec::settings) by name; resolve_settings fills
  // the defaults, so a saved encoder records every value it was built with.
  std::map<std::string, std::string> settings;
};

// A setting of one architecture (a ViT's patch size, say): its default and, when it is one of a
// few words, the choices; an empty `choices` means a positive integer.
struct ArchitectureSetting {
  std::string name;
  std::string default_value;
  std::vector<std::string> choices;
  std::string doc;
};

// A backbone: images [B, C, H, W] (float, normalized) -> representations [B, D].
struct BackboneImpl : torch::nn::Module {
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  virtual int64_t repr_dim() const = 0;
  // Whether forward also takes h x w inputs besides the size it was built for, with a
  // representation of the same size (multi-crop's smaller local views): no for backbones that
  // flatten a feature map of fixed size.
  virtual bool takes_input_size(int64_t /*h*/, int64_t /*w*/) const { return false; }
  ~BackboneImpl() override = default;
};

struct ArchitectureSpec {
  std::string name;         // as users write it: "resnet18"
  std::string description;  // one line: structure and source
  int64_t min_size = 1;     // smallest input height and width
  // Representation size at a channel multiplier with the default settings.
  std::function<int64_t(double width)> repr_dim;
  // The named stages whose outputs can be read out, input to output (LayerMem reads these).
  std::vector<std::string> layers;
  std::function<std::shared_ptr<BackboneImpl>(const BackboneSpec&)> build;
  std::vector<ArchitectureSetting> settings;  // none for the CNNs
};

// Registration (from a static initialiser in each architecture's file); returns true.
bool register_architecture(ArchitectureSpec spec);
// RangeError naming `arg` and listing the known names when absent.
const ArchitectureSpec& find_architecture(const std::string& name, const std::string& arg);
// Sorted by name.
std::vector<const ArchitectureSpec*> all_architectures();

// Fills every setting the architecture has with its default and checks the given ones (RangeError
// naming settings.<name> for an unknown name or a value that is not a choice / positive integer).
void resolve_settings(BackboneSpec& spec);

// A resolved setting's value (resolve_settings ran) as a positive integer.
int64_t integer_setting(const BackboneSpec& spec, const std::string& name);

// Validates the spec (RangeError naming the field) and builds the backbone with libtorch's
// default initialisation drawn from the current torch generator (seed it first).
std::shared_ptr<BackboneImpl> make_backbone(const BackboneSpec& spec);

// Channel count after scaling by width (at least 1).
int64_t scaled_channels(int64_t base, double width);

// Copies every parameter and buffer of `from` into `to` (same architecture), without autograd.
void copy_module_state(torch::nn::Module& from, torch::nn::Module& to);

}  // namespace sslmem
