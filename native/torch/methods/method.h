// SSL methods as data. Each method is one file in this folder that registers a MethodSpec (its
// heads, its target network, its hyper-parameters with the paper's defaults, and the loss of one
// step) and the LossFunctions its tests call by name. The training loop, the binding, `sslmem info`
// and the TypeScript façade all read this registry; none of them names a method.
//
// Adding a method: a file here (loss + registration), its test, its doc (docs/methods.md). The
// CMake glob picks the file up; the TS side lists what the binding reports.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../collective.h"
#include "../encoders/encoder.h"
#include "../heads.h"

namespace sslmem {

// One scalar hyper-parameter: its JS name (methodOptions.<name>), default (the paper's value) and
// valid range [min, max] (min excluded when min_exclusive).
struct MethodOption {
  std::string name;
  double default_value = 0;
  double min = 0;
  double max = 1e300;  // 1e300: no upper bound
  bool min_exclusive = false;
  std::string doc;
};

// Resolved hyper-parameters by name (every option of the method present).
using MethodOptionValues = std::map<std::string, double>;

// The networks one run trains: backbone + projector (+ predictor), a method's own module (MAE's
// decoder, DINO's head), and for methods with a momentum target an EMA copy of the backbone, the
// projector and the method's module.
struct Networks {
  std::shared_ptr<BackboneImpl> backbone;
  MlpHead projector{nullptr};  // null for methods without one (MAE, DINO)
  MlpHead predictor{nullptr};
  std::shared_ptr<torch::nn::Module> head;
  std::shared_ptr<BackboneImpl> target_backbone;
  MlpHead target_projector{nullptr};            // null when the method has no projector
  std::shared_ptr<torch::nn::Module> target_head;  // null when the method has no module of its own

  std::vector<torch::Tensor> trainable() const;
  // Every module a rank trains or tracks (target included): broadcasts, buffer averaging, devices.
  std::vector<torch::nn::Module*> modules();
  void set_train(bool on);
};

// One step's views of its batch of B images. groups[0] is [B, views, C, H, W]: the method's `views`
// views at the encoder's input size; later groups (multi-crop's local crops, only for methods with
// local_views) are [B, count_g, C, H_g, W_g] at smaller sizes.
struct ViewBatch {
  std::vector<torch::Tensor> groups;
  // View j of group 0: [B, C, H, W].
  torch::Tensor view(int64_t j) const { return groups.at(0).select(1, j); }
};

// What a method's loss sees at one step. online(x) = projector(backbone(x)).
struct StepContext {
  Networks& nets;
  const MethodOptionValues& options;
  // The batch's item keys and the run's seed and epoch, for randomness inside a step (MAE's masks):
  // keyed like the augmentation, so a step does not depend on threads or on the other items.
  const int64_t* keys = nullptr;
  int64_t batch = 0;
  uint64_t seed = 0;
  int64_t epoch = 0;
  // The data-parallel group (null: one process), for state a method keeps in step across ranks
  // (DINO's center is a mean over the global batch).
  Collective* group = nullptr;

  torch::Tensor online(const torch::Tensor& x) const { return nets.projector->forward(nets.backbone->forward(x)); }
  torch::Tensor predict(const torch::Tensor& z) const { return nets.predictor->forward(z); }
  // The momentum target's projection, without gradient.
  torch::Tensor target(const torch::Tensor& x) const;
  double option(const std::string& name) const { return options.at(name); }
  // [batch, count] uniform [0, 1) numbers on `device`, row i from the Philox stream keyed by
  // (seed, epoch, keys[i]) and `stream` (< 128): the same item gets the same numbers whatever
  // batch it is in.
  torch::Tensor uniform_per_item(int64_t count, uint64_t stream, const torch::Device& device) const;
};

// An optimizer's defaults: the library's (SGD, SimSiam's CIFAR rule) unless a method's paper says
// otherwise. The learning rate is per 256 images (scaled by batch / 256).
struct OptimizerDefaults {
  std::string name = "sgd";
  double base_lr = 0.03;
  double weight_decay = 5e-4;
  std::vector<double> betas{0.9, 0.999};  // Adam and AdamW
};

struct MethodSpec {
  std::string name;      // as users write it: "simclr"
  std::string title;     // "SimCLR"
  std::string citation;  // "Chen et al. 2020"
  std::vector<int64_t> projector_dims;  // default hidden..., out (input: the representation size)
  bool projector_output_bn = false;     // BN after the projector's last layer (SimSiam)
  std::vector<int64_t> predictor_dims;  // default hidden..., out; empty: no predictor
  // Name of the option holding the base momentum of an EMA target network (cosine-increased to 1
  // over training, byol_momentum); empty: no target network.
  std::string target_momentum_option;
  // Smallest batch per rank the loss is defined on (2 for losses across the batch).
  int64_t min_batch = 1;
  std::vector<MethodOption> options;
  // The loss of one step on its views.
  std::function<torch::Tensor(const StepContext&, const ViewBatch& views)> step_loss;
  // Views of each image per step at the encoder's input size: 2, or 1 (MAE trains on single crops).
  int64_t views = 2;
  // A module of the method's own, trained with the backbone (MAE's decoder); null: none. It may
  // look inside the backbone and throw a RangeError naming options.encoder when it cannot.
  std::function<std::shared_ptr<torch::nn::Module>(const MethodOptionValues&, BackboneImpl& backbone)> build_head;
  // The paper's optimizer settings, used for what the caller leaves out (lib/train fills them in).
  OptimizerDefaults optimizer;
  // Whether steps also take smaller views after the `views` ones (multi-crop's local crops, DINO).
  bool local_views = false;
  // Runs after the gradients are computed (and averaged over ranks), before the optimizer step:
  // DINO's per-parameter gradient clipping and its frozen last layer. Null: nothing.
  std::function<void(const StepContext&)> after_backward;
  // Whether the trained encoder is the momentum target's backbone rather than the online one
  // (DINO evaluates and releases its teacher: eval_knn.py's checkpoint_key "teacher").
  bool result_is_target = false;

  bool has_projector() const { return !projector_dims.empty(); }
  bool has_predictor() const { return !predictor_dims.empty(); }
  bool has_target() const { return !target_momentum_option.empty(); }
};

// A loss on given head outputs, or a part of one (MAE's masking), callable by name from tests
// (sslLoss, sslLossTensor) to check it against a PyTorch oracle of the paper's pseudocode.
struct LossFunction {
  std::string name;                 // "nt-xent"
  std::vector<std::string> inputs;  // names of the inputs in order: {"z1", "z2"} (each [B, D] for the losses)
  std::vector<MethodOption> options;
  std::function<torch::Tensor(const std::vector<torch::Tensor>&, const MethodOptionValues&)> compute;
};

// Registration (from a static initialiser in each method's file); returns true.
bool register_method(MethodSpec spec);
bool register_loss(LossFunction loss);

// Lookups: RangeError naming `arg` and listing the known names when absent.
const MethodSpec& find_method(const std::string& name, const std::string& arg);
const LossFunction& find_loss(const std::string& name, const std::string& arg);
// Sorted by name.
std::vector<const MethodSpec*> all_methods();
std::vector<const LossFunction*> all_losses();

// Fills defaults and checks `given` against `options`: RangeError for an unknown name (listing the
// known ones) or a value out of range, naming `arg`.<name>.
MethodOptionValues resolve_options(const std::vector<MethodOption>& options, const std::map<std::string, double>& given,
                                   const std::string& arg);

// Checks a pair of [B, D] inputs of the same shape with at least `min_batch` rows.
void check_pair(const torch::Tensor& a, const torch::Tensor& b, const char* what, int64_t min_batch);

}  // namespace sslmem
