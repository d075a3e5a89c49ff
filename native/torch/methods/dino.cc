// DINO (Caron et al. 2021, "Emerging Properties in Self-Supervised Vision Transformers"): a student
// (backbone + DINO head) learns to match an EMA teacher's centered, sharpened distribution over K
// prototypes. The teacher sees the two global views; the student sees every view, the smaller
// local views of multi-crop included, and each student view is matched with each teacher view of
// another crop (Algorithm 1 and main_dino.py of facebookresearch/dino).
//
// Not carried over from main_dino.py: its weight-decay schedule (0.04 cosine-increased to 0.4; here
// the optimizer's constant weight decay, 0.04 by default) and its learning-rate warm-up default of
// 10 epochs (here options.warmupEpochs, 0 by default as for every method).
#include "../../kernels/errors.h"
#include "method.h"

namespace sslmem {

namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

// DINOHead (vision_transformer.py): an MLP in -> hidden (-> hidden ...) -> bottleneck with GELU and
// no batch norm (use_bn_in_head False), its output L2-normalized, then a weight-normalized linear
// layer without bias to K prototypes whose norms are fixed at 1 (norm_last_layer True, weight_g = 1
// and frozen): logit_k = <z / |z|, v_k / |v_k|>. `center` is the teacher output's running mean
// (kept here, in the student's head, so that checkpoints carry it).
struct DinoHeadImpl : nn::Module {
  DinoHeadImpl(int64_t in, int64_t hidden, int64_t bottleneck, int64_t prototypes, int64_t layers) {
    int64_t width = in;
    for (int64_t i = 0; i + 1 < layers; ++i) {
      mlp->push_back(nn::Linear(width, hidden));
      mlp->push_back(nn::GELU());
      width = hidden;
    }
    mlp->push_back(nn::Linear(width, bottleneck));
    register_module("mlp", mlp);
    {
      // The reference's trunc_normal_(std=0.02) truncates at +-2, a hundred standard deviations:
      // a plain normal draw is the same distribution in practice.
      torch::NoGradGuard no_grad;
      for (auto& child : mlp->modules(false)) {
        if (auto* linear = child->as<nn::Linear>()) {
          nn::init::normal_(linear->weight, 0, 0.02);
          nn::init::zeros_(linear->bias);
        }
      }
    }
    // The prototypes keep nn.Linear's default initialisation, as the reference's last layer does.
    last_layer = register_module("last_layer", nn::Linear(nn::LinearOptions(bottleneck, prototypes).bias(false)));
    center = register_buffer("center", torch::zeros({1, prototypes}));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto z = F::normalize(mlp->forward(x), F::NormalizeFuncOptions().dim(-1));
    auto w = last_layer->weight;
    return F::linear(z, w / w.norm(2, {1}, true));
  }
  nn::Sequential mlp;
  nn::Linear last_layer{nullptr};
  torch::Tensor center;
};

DinoHeadImpl& head_of(const std::shared_ptr<nn::Module>& module) { return *std::static_pointer_cast<DinoHeadImpl>(module); }

// DINOLoss.forward: student [S * B, K] (S views, view-major), teacher [2 * B, K] (the two global
// views, the same order as the student's first two), center [1, K]. Teacher targets are
// softmax((t - center) / teacher_temp), constants; the loss is the mean over the (teacher view,
// student view) pairs of different views of the batch-mean cross-entropy with
// log_softmax(s / student_temp).
torch::Tensor dino_loss(const torch::Tensor& student, const torch::Tensor& teacher, const torch::Tensor& center, double student_temp,
                        double teacher_temp) {
  if (student.dim() != 2 || teacher.dim() != 2 || teacher.size(1) != student.size(1) || teacher.size(0) % 2 != 0 || teacher.size(0) == 0 ||
      student.size(0) % (teacher.size(0) / 2) != 0 || student.size(0) < teacher.size(0)) {
    throw_range("DINO inputs", "student [S * B, K] with S >= 2 and teacher [2 * B, K]",
                "student [" + to_text(student.size(0)) + ", " + to_text(student.size(-1)) + "], teacher [" + to_text(teacher.size(0)) + ", " +
                    to_text(teacher.size(-1)) + "]");
  }
  const int64_t b = teacher.size(0) / 2, views = student.size(0) / b;
  auto log_student = F::log_softmax(student / student_temp, F::LogSoftmaxFuncOptions(-1)).chunk(views);
  auto targets = F::softmax((teacher - center) / teacher_temp, F::SoftmaxFuncOptions(-1)).detach().chunk(2);
  torch::Tensor total = torch::zeros({}, student.options());
  int64_t terms = 0;
  for (int64_t t = 0; t < 2; ++t) {
    for (int64_t v = 0; v < views; ++v) {
      if (v == t) continue;  // the same crop seen by both networks
      total = total + (-targets[t] * log_student[v]).sum(-1).mean();
      ++terms;
    }
  }
  return total / static_cast<double>(terms);
}

// The teacher temperature of an epoch: linear from warmup_temp to temp over the first
// warmup_epochs epochs (np.linspace over them, so its last warm-up epoch already has temp), then temp.
double teacher_temperature(int64_t epoch, double warmup_temp, double temp, int64_t warmup_epochs) {
  if (epoch >= warmup_epochs) return temp;
  if (warmup_epochs == 1) return warmup_temp;
  return warmup_temp + (temp - warmup_temp) * static_cast<double>(epoch) / static_cast<double>(warmup_epochs - 1);
}

// DINOLoss.update_center: center <- m center + (1 - m) mean over the global batch of the teacher's
// outputs (summed over ranks). Returns the new center; `center` is updated in place.
torch::Tensor update_center(torch::Tensor& center, const torch::Tensor& teacher, double momentum, Collective* group) {
  torch::NoGradGuard no_grad;
  auto sum = teacher.sum(0, true);
  double rows = static_cast<double>(teacher.size(0));
  if (group) {
    sum = group->all_reduce_sum(sum);
    rows *= group->world_size();
  }
  center.mul_(momentum).add_(sum / rows, 1 - momentum);
  return center;
}

// [B, V, C, H, W] -> [V * B, C, H, W], view-major as DINO concatenates its crops.
torch::Tensor view_major(const torch::Tensor& group) { return group.transpose(0, 1).flatten(0, 1); }

const MethodOption student_temp{"studentTemp", 0.1, 0, 1e300, true, "student softmax temperature"};
const MethodOption teacher_temp{"teacherTemp", 0.04, 0, 1e300, true, "teacher softmax temperature after warm-up (0.04; 0.07 for longer runs)"};
const MethodOption warmup_teacher_temp{"warmupTeacherTemp", 0.04, 0, 1e300, true, "teacher temperature at the first epoch"};
const MethodOption warmup_teacher_temp_epochs{"warmupTeacherTempEpochs", 0, 0, 1e300, false, "epochs of linear teacher-temperature warm-up"};
const MethodOption center_momentum{"centerMomentum", 0.9, 0, 1, false, "momentum of the teacher's output center"};
const MethodOption epoch_option{"epoch", 0, 0, 1e300, false, "the epoch (0-based) whose teacher temperature applies"};

double temperature_at(const MethodOptionValues& o, int64_t epoch) {
  return teacher_temperature(epoch, o.at("warmupTeacherTemp"), o.at("teacherTemp"), static_cast<int64_t>(o.at("warmupTeacherTempEpochs")));
}

// Tests call these by name: the loss (with the temperature of options.epoch) and the center update.
const bool registered_losses =
    register_loss({"dino",
                   {"student", "teacher", "center"},
                   {student_temp, teacher_temp, warmup_teacher_temp, warmup_teacher_temp_epochs, epoch_option},
                   [](const std::vector<torch::Tensor>& in, const MethodOptionValues& o) {
                     return dino_loss(in[0], in[1], in[2], o.at("studentTemp"), temperature_at(o, static_cast<int64_t>(o.at("epoch"))));
                   }}) &&
    register_loss({"dino-center", {"center", "teacher"}, {center_momentum}, [](const std::vector<torch::Tensor>& in, const MethodOptionValues& o) {
                     auto center = in[0].clone();
                     return update_center(center, in[1], o.at("centerMomentum"), nullptr);
                   }});

const bool registered = register_method({
    "dino",
    "DINO",
    "Caron et al. 2021",
    {},  // no projector: the DINO head is the method's own module
    false,
    {},
    "teacherMomentum",
    2,
    {student_temp, teacher_temp, warmup_teacher_temp, warmup_teacher_temp_epochs, center_momentum,
     {"teacherMomentum", 0.996, 0, 1, false, "base momentum of the teacher, cosine-increased to 1"},
     {"prototypes", 4096, 1, 1e300, false, "K, the head's output size (65536 in the paper; 4096 as solo-learn uses for CIFAR)"},
     {"hiddenDim", 2048, 1, 1e300, false, "width of the head's hidden layers"},
     {"bottleneckDim", 256, 1, 1e300, false, "size of the head's L2-normalized bottleneck"},
     {"headLayers", 3, 1, 1e300, false, "linear layers of the head's MLP"},
     {"clipGrad", 3.0, 0, 1e300, false, "per-parameter gradient-norm clip (0: none)"},
     {"freezeLastLayer", 1, 0, 1e300, false, "epochs during which the prototypes are not updated"}},
    [](const StepContext& s, const ViewBatch& v) {
      auto& student_head = head_of(s.nets.head);
      // The backbone runs once per view size (batch-norm statistics over all views of that size,
      // as DINO's MultiCropWrapper), the head once on every representation.
      std::vector<torch::Tensor> representations;
      for (const auto& group : v.groups) representations.push_back(s.nets.backbone->forward(view_major(group)));
      auto student = student_head.forward(torch::cat(representations, 0));
      torch::Tensor teacher;
      {
        torch::NoGradGuard no_grad;
        teacher = head_of(s.nets.target_head).forward(s.nets.target_backbone->forward(view_major(v.groups[0])));
      }
      auto loss = dino_loss(student, teacher, student_head.center, s.option("studentTemp"), temperature_at(s.options, s.epoch));
      update_center(student_head.center, teacher, s.option("centerMomentum"), s.group);
      return loss;
    },
    2,
    [](const MethodOptionValues& o, BackboneImpl& backbone) -> std::shared_ptr<nn::Module> {
      return std::make_shared<DinoHeadImpl>(backbone.repr_dim(), static_cast<int64_t>(o.at("hiddenDim")), static_cast<int64_t>(o.at("bottleneckDim")),
                                            static_cast<int64_t>(o.at("prototypes")), static_cast<int64_t>(o.at("headLayers")));
    },
    {"adamw", 5e-4, 0.04, {0.9, 0.999}},  // main_dino.py: AdamW, lr 0.0005 per 256 images, weight decay 0.04
    true,
    [](const StepContext& s) {
      // main_dino.py's clip_gradients (each parameter's gradient norm clipped on its own), then
      // cancel_gradients_last_layer (no update of the prototypes in the first epochs).
      const double clip = s.option("clipGrad");
      if (clip > 0) {
        torch::NoGradGuard no_grad;
        for (auto& p : s.nets.trainable()) {
          if (!p.grad().defined()) continue;
          const double coef = clip / (p.grad().norm().item<double>() + 1e-6);
          if (coef < 1) p.mutable_grad().mul_(coef);
        }
      }
      if (static_cast<double>(s.epoch) < s.option("freezeLastLayer")) head_of(s.nets.head).last_layer->weight.mutable_grad() = torch::Tensor();
    },
    true,  // the teacher is the encoder DINO evaluates and releases
});

}  // namespace

}  // namespace sslmem
