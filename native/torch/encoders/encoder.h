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

// Collects named intermediate outputs during one forward pass (LayerMem's read-outs). A backbone
// offers the output of each of its layers (ArchitectureSpec::layers order, index 0 first) as it
// computes it; the tap keeps the wanted ones and says when the pass may stop, so no layer after the
// last wanted one is computed and no prefix is run twice.
class LayerTap {
 public:
  LayerTap() = default;  // wants nothing: a plain forward pass
  // `wanted`: layer indices, each in [0, layer count), in any order, no repeats.
  explicit LayerTap(std::vector<int64_t> wanted);
  // Keeps x when layer i is wanted; true once every wanted layer is kept (the caller returns x).
  bool offer(int64_t i, const torch::Tensor& x);
  // The kept outputs, in the order `wanted` named them.
  const std::vector<torch::Tensor>& outputs() const { return outputs_; }

 private:
  std::vector<int64_t> wanted_;
  std::vector<torch::Tensor> outputs_;
  size_t kept_ = 0;
};

// A backbone: images [B, C, H, W] (float, normalized) -> representations [B, D].
struct BackboneImpl : torch::nn::Module {
  // The representation: the forward pass with no read-outs.
  torch::Tensor forward(torch::Tensor x) {
    LayerTap none;
    return forward_layers(x, none);
  }
  // The forward pass offering each layer's output to `tap` (stopping early when it says so); the
  // last layer's output is the representation [B, D].
  virtual torch::Tensor forward_layers(torch::Tensor x, LayerTap& tap) = 0;
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
  // The named layers whose outputs can be read out, input to output (LayerMem reads these), for a
  // spec with resolved settings (a ViT's list follows its depth); the last is the representation.
  std::function<std::vector<std::string>(const BackboneSpec&)> layers;
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

// `names` as a `layers` function, for architectures whose layers do not depend on settings.
std::function<std::vector<std::string>(const BackboneSpec&)> fixed_layers(std::vector<std::string> names);

// The layer names of an architecture at its default settings (what `sslmem info` lists).
std::vector<std::string> default_layers(const ArchitectureSpec& architecture);

// Validates the spec (RangeError naming the field) and builds the backbone with libtorch's
// default initialisation drawn from the current torch generator (seed it first).
std::shared_ptr<BackboneImpl> make_backbone(const BackboneSpec& spec);

// Channel count after scaling by width (at least 1).
int64_t scaled_channels(int64_t base, double width);

// Copies every parameter and buffer of `from` into `to` (same architecture), without autograd.
void copy_module_state(torch::nn::Module& from, torch::nn::Module& to);

}  // namespace sslmem
