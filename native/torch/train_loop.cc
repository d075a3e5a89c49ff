// Implements train_loop.h.
#include "train_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <sstream>

#include "../kernels/errors.h"
#include "embed.h"
#include "schedule.h"
#include "train_networks.h"
#include "train_state.h"

namespace sslmem {

std::string description_with_progress(const std::string& base, int64_t epoch, const std::vector<double>& losses) {
  std::ostringstream out;
  out.precision(17);
  out << "\"epoch\":" << epoch << ",\"lossHistory\":[";
  for (size_t i = 0; i < losses.size(); ++i) out << (i ? "," : "") << losses[i];
  out << "]";
  const size_t close = base.rfind('}');
  if (close == std::string::npos) return "{" + out.str() + "}";
  const size_t open = base.find('{');
  const bool empty = base.find_first_not_of(" \t\r\n", open + 1) == close;
  return base.substr(0, close) + (empty ? "" : ",") + out.str() + base.substr(close);
}

namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

std::vector<int64_t> epoch_order(const std::vector<int64_t>& keys, uint64_t seed, int64_t epoch) {
  // Every item's rank in the epoch is a hash of (seed, epoch, key) alone, so two runs whose data
  // share items visit those items in the same relative order whatever else they hold: the pairing
  // the SSLMem design needs (f and g differ only where their data differ). Ties (probability
  // ~n^2 / 2^64) fall back to the key, so the order is total and platform-independent.
  const uint64_t epoch_state = seed * 0xD1B54A32D192ED03ull ^ (static_cast<uint64_t>(epoch) + 0x632BE59BD9B4E019ull);
  std::vector<std::pair<uint64_t, int64_t>> ranked(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    uint64_t state = epoch_state ^ (static_cast<uint64_t>(keys[i]) * 0x9E3779B97F4A7C15ull);
    ranked[i] = {splitmix64(state), static_cast<int64_t>(i)};
  }
  std::sort(ranked.begin(), ranked.end(), [&keys](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : keys[a.second] < keys[b.second];
  });
  std::vector<int64_t> order(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) order[i] = ranked[i].second;
  return order;
}

namespace {

double monitor_knn(const TrainConfig& c, const BackboneSpec& spec, BackboneImpl& backbone, const torch::Device& device) {
  const int64_t backbone_h = spec.height, backbone_w = spec.width_px, backbone_c = spec.channels;
  torch::NoGradGuard no_grad;
  const bool was_training = backbone.is_training();
  backbone.eval();
  auto embed_set = [&](const MonitorSet& set, int64_t h, int64_t w, int64_t ch) {
    std::vector<torch::Tensor> parts;
    const int64_t per = h * w * ch;
    for (int64_t start = 0; start < set.n; start += 256) {
      const int64_t b = std::min<int64_t>(256, set.n - start);
      auto x = images_to_tensor(set.images + start * per, b, h, w, ch, c.normalize_mean, c.normalize_std).to(device);
      parts.push_back(backbone.forward(x).to(torch::kCPU));
    }
    return torch::cat(parts, 0);
  };
  auto train_features = embed_set(c.monitor_train, backbone_h, backbone_w, backbone_c);
  auto test_features = embed_set(c.monitor_test, backbone_h, backbone_w, backbone_c);
  backbone.train(was_training);
  auto train_labels = torch::from_blob(const_cast<int32_t*>(c.monitor_train.labels), {c.monitor_train.n}, torch::kInt32);
  auto test_labels = torch::from_blob(const_cast<int32_t*>(c.monitor_test.labels), {c.monitor_test.n}, torch::kInt32);
  return knn_accuracy(train_features, train_labels, test_features, test_labels, 200, 0.1, c.monitor_classes);
}

// A small fingerprint of a string (FNV-1a, folded below 2^20 so that sums over ranks stay exact in
// float64), for comparing options across ranks.
double text_fingerprint(const std::string& text) {
  uint32_t h = 2166136261u;
  for (unsigned char ch : text) h = (h ^ ch) * 16777619u;
  return static_cast<double>(h % 1048573u);
}

// A scalar collective on the training device (NCCL takes CUDA tensors only).
torch::Tensor sum_over_ranks(Collective& group, const std::vector<double>& values, const torch::Device& device) {
  return group.all_reduce_sum(torch::tensor(values, torch::kFloat64).to(device)).to(torch::kCPU);
}

// What every rank must agree on before the first collective of a step: a rank launched with other
// data or options would otherwise wait in a collective until the timeout.
void check_ranks_agree(Collective& group, const TrainConfig& c, const torch::Device& device) {
  const std::vector<double> mine{static_cast<double>(c.n), static_cast<double>(c.batch_size), static_cast<double>(c.epochs),
                                 static_cast<double>(c.seed % 1048573u), text_fingerprint(c.method)};
  auto sum = sum_over_ranks(group, mine, device);
  const double w = static_cast<double>(group.world_size());
  const char* names[] = {"number of images", "options.batchSize", "options.epochs", "options.seed", "options.method"};
  for (size_t i = 0; i < mine.size(); ++i) {
    if (sum[static_cast<int64_t>(i)].item<double>() != w * mine[i]) {
      throw_runtime("ERR_SSLMEM_DISTRIBUTED", std::string("Expected every rank to train with the same ") + names[i] + " but rank " +
                                                  to_text(group.rank()) + "'s differs from the others'; launch all ranks with the same data and options");
    }
  }
}

// Ranks normalise different slices, so their batch-norm running statistics drift apart; their mean
// is what every rank keeps (integer counters are equal on all ranks: same number of steps).
void average_running_statistics(Collective& group, Networks& nets) {
  std::vector<torch::Tensor> stats;
  for (auto* module : nets.modules()) {
    for (auto& b : module->buffers()) {
      if (b.is_floating_point()) stats.push_back(b);
    }
  }
  group.average(stats);
}

double mean_over_ranks(Collective* group, double value, const torch::Device& device) {
  if (!group) return value;
  return sum_over_ranks(*group, {value}, device).item<double>() / static_cast<double>(group->world_size());
}

// The view groups must be what the method trains on: group 0 its views per step at the encoder's
// input size, further groups only for a method with local views, at sizes the backbone takes.
void check_view_groups(const MethodSpec& method, const std::vector<ViewGroup>& groups, const BackboneSpec& spec, const BackboneImpl& backbone) {
  const ViewGroup& first = groups.at(0);
  if (first.count != method.views || first.channels != spec.channels || first.height != spec.height || first.width != spec.width_px) {
    throw_range("options.multiCrop[0]", to_text(method.views) + " views per image of [" + to_text(spec.channels) + ", " + to_text(spec.height) + ", " +
                                             to_text(spec.width_px) + "] (" + method.name + "'s views per step at the encoder's input size)",
                to_text(first.count) + " views of [" + to_text(first.channels) + ", " + to_text(first.height) + ", " + to_text(first.width) + "]");
  }
  for (size_t g = 1; g < groups.size(); ++g) {
    const std::string name = "options.multiCrop[" + to_text(static_cast<int64_t>(g)) + "]";
    if (!method.local_views) throw_range("options.multiCrop", "one group (" + method.name + " takes no local views)", to_text(static_cast<int64_t>(groups.size())) + " groups");
    const ViewGroup& local = groups[g];
    if (local.channels != spec.channels || !backbone.takes_input_size(local.height, local.width)) {
      throw_range(name, "views this " + spec.architecture + " encoder takes besides its " + to_text(spec.height) + "x" + to_text(spec.width_px) +
                            " input (global pooling, or a ViT with a patch size dividing the view and a cls or mean representation)",
                  to_text(local.channels) + " x " + to_text(local.height) + "x" + to_text(local.width) + " views");
    }
  }
}

// One optimizer step on a batch of views; returns the loss (mean over ranks).
double train_step(const MethodSpec& method, const StepContext& context, torch::optim::Optimizer& optimizer, Collective* group,
                  const ViewBatch& views, double lr, double target_momentum, const torch::Device& device) {
  Networks& nets = context.nets;
  for (auto& param_group : optimizer.param_groups()) param_group.options().set_lr(lr);
  auto loss = method.step_loss(context, views);
  optimizer.zero_grad();
  loss.backward();
  if (group) {
    std::vector<torch::Tensor> grads;
    for (auto& p : nets.trainable()) {
      if (p.grad().defined()) grads.push_back(p.grad());
    }
    group->average(grads);
  }
  if (method.after_backward) method.after_backward(context);
  optimizer.step();
  if (method.has_target()) {
    momentum_update(*nets.backbone, *nets.target_backbone, target_momentum);
    if (!nets.target_projector.is_empty()) momentum_update(*nets.projector, *nets.target_projector, target_momentum);
    if (nets.target_head) momentum_update(*nets.head, *nets.target_head, target_momentum);
  }
  return mean_over_ranks(group, loss.item<double>(), device);
}

}  // namespace

TrainResult run_training(const TrainConfig& c, const EncoderState& initial, const ViewSource& views,
                         const std::function<void(const TrainProgress&)>& on_progress, const CancelFlag& cancel) {
  // The thread count is the calling worker thread's (OpenMP keeps it per thread): put it back when
  // training ends, or every later job that lands on this libuv worker (scoring's forward passes)
  // runs with the training's count and rounds differently from the same job on another worker.
  struct ThreadCountRestorer {
    int previous = at::get_num_threads();
    ~ThreadCountRestorer() { at::set_num_threads(previous); }
  } restore_threads;
  if (c.threads > 0) at::set_num_threads(c.threads);
  torch::Device device(torch::kCPU);
  if (c.device == "cuda") {
    if (!torch::cuda::is_available()) throw_runtime("ERR_SSLMEM_CUDA_UNAVAILABLE", "Expected a CUDA device for options.device but this libtorch has none");
    device = torch::Device(torch::kCUDA);
  }
  const MethodSpec& method = find_method(c.method, "options.method");
  const MethodOptionValues options = resolve_options(method.options, c.method_options, "options.methodOptions");
  const auto& spec = initial.spec;
  const int64_t steps_per_epoch = c.n / c.batch_size;
  if (steps_per_epoch < 1) throw_range("options.batchSize", "at most the number of images (" + to_text(c.n) + ")", to_text(c.batch_size));
  Collective* group = c.collective.get();
  const int64_t world = group ? group->world_size() : 1;
  const int64_t rank = group ? group->rank() : 0;
  if (c.batch_size % world != 0) {
    throw_range("options.batchSize", "a multiple of the world size (" + to_text(world) + ": each rank trains on batchSize / worldSize images)",
                to_text(c.batch_size));
  }
  const int64_t local_b = c.batch_size / world;
  if (local_b < method.min_batch) {
    throw_range("options.batchSize", "at least " + to_text(method.min_batch) + " per rank for " + c.method + " (" + to_text(method.min_batch * world) +
                                         " with " + to_text(world) + " ranks)",
                to_text(c.batch_size));
  }
  if (group) check_ranks_agree(*group, c, device);
  const int64_t total_steps = steps_per_epoch * c.epochs;
  const int64_t warmup_steps = static_cast<int64_t>(std::llround(c.warmup_epochs * static_cast<double>(steps_per_epoch)));

  Networks nets = build_networks(c, method, options, initial, device);
  check_view_groups(method, views.groups, spec, *nets.backbone);
  auto optimizer = make_optimizer(c, nets.trainable());
  TrainResult result;
  std::vector<double> losses;
  const int64_t start_epoch = c.resume.empty() ? 0 : resume_training(c, nets, *optimizer, losses);
  for (size_t e = 0; e < losses.size(); ++e) result.history.push_back({static_cast<int64_t>(e) + 1, losses[e], 0, -1});
  result.first_epoch_run = start_epoch;
  if (group) {
    for (auto* module : nets.modules()) group->broadcast_module(*module);
  }

  // The network the run returns (and the monitor measures): DINO's teacher, else the online backbone.
  auto result_backbone = [&]() -> BackboneImpl& { return method.result_is_target ? *nets.target_backbone : *nets.backbone; };
  auto snapshot = [&](int64_t epochs_done) {
    auto state = std::make_shared<EncoderState>();
    state->spec = spec;
    state->net = make_backbone(spec);
    BackboneImpl& result = result_backbone();
    result.to(torch::kCPU);
    copy_module_state(result, *state->net);
    result.to(device);
    state->repr_dim = initial.repr_dim;
    state->description = description_with_progress(c.description, epochs_done, losses);
    return state;
  };

  const int64_t per_image = views.floats_per_image();
  const int64_t b = c.batch_size;
  std::vector<int64_t> keys = c.item_ids;
  if (keys.empty()) {
    keys.resize(static_cast<size_t>(c.n));
    for (int64_t i = 0; i < c.n; ++i) keys[i] = i;
  }
  nets.set_train(true);
  for (int64_t epoch = start_epoch; epoch < c.epochs; ++epoch) {
    const auto order = epoch_order(keys, c.seed, epoch);
    // This rank's slice of each global batch: items [step * B + rank * B/W, ... + B/W).
    auto launch = [&](int64_t step) {
      return std::async(std::launch::async, [&, step] {
        auto buffer = std::make_shared<std::vector<float>>(static_cast<size_t>(local_b * per_image));
        views.fill(order.data() + step * b + rank * local_b, local_b, epoch, buffer->data());
        return buffer;
      });
    };
    auto next = launch(0);
    double epoch_sum = 0;
    const auto epoch_start = std::chrono::steady_clock::now();
    for (int64_t step = 0; step < steps_per_epoch; ++step) {
      if (group) {
        // One rank's abort reaches all: every rank leaves at the same step, none waits in a collective.
        if (sum_over_ranks(*group, {cancel.requested() ? 1.0 : 0.0}, device).item<double>() > 0) {
          next.wait();
          cancel.throw_if_requested();
          throw_runtime("ERR_SSLMEM_DISTRIBUTED", "Training stopped at epoch " + to_text(epoch + 1) + ", step " + to_text(step + 1) +
                                                      " because another rank was aborted");
        }
      } else if (cancel.requested()) {
        next.wait();
        cancel.throw_if_requested();
      }
      const auto step_start = std::chrono::steady_clock::now();
      auto buffer = next.get();
      if (step + 1 < steps_per_epoch) next = launch(step + 1);
      ViewBatch batch;
      const float* group_data = buffer->data();
      for (const ViewGroup& g : views.groups) {
        batch.groups.push_back(torch::from_blob(const_cast<float*>(group_data), {local_b, g.count, g.channels, g.height, g.width}, torch::kFloat32).to(device));
        group_data += local_b * g.floats_per_image();
      }
      const int64_t global_step = epoch * steps_per_epoch + step;
      const double lr = cosine_warmup_lr(c.lr, global_step, warmup_steps, total_steps);
      const double tau = method.has_target() ? byol_momentum(options.at(method.target_momentum_option), global_step, total_steps) : 0;
      std::vector<int64_t> batch_keys(static_cast<size_t>(local_b));
      for (int64_t i = 0; i < local_b; ++i) batch_keys[i] = keys[order[step * b + rank * local_b + i]];
      const StepContext context{nets, options, batch_keys.data(), local_b, c.seed, epoch, group};
      const double value = train_step(method, context, *optimizer, group, batch, lr, tau, device);
      if (!std::isfinite(value)) {
        if (step + 1 < steps_per_epoch) next.wait();
        throw_runtime("ERR_SSLMEM_DIVERGED", "Expected a finite loss but training diverged at epoch " + to_text(epoch + 1) + ", step " +
                                                 to_text(step + 1) + " (loss " + to_text(value) + "); lower options.optimizer.lr");
      }
      epoch_sum += value;
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count();
      TrainProgress progress;
      progress.epoch = epoch + 1;
      progress.step = step + 1;
      progress.steps_per_epoch = steps_per_epoch;
      progress.loss = value;
      progress.lr = lr;
      progress.images_per_second = seconds > 0 ? static_cast<double>(b) / seconds : 0;
      if (step + 1 == steps_per_epoch) {
        if (group) average_running_statistics(*group, nets);
        const double epoch_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
        EpochRecord record{epoch + 1, epoch_sum / static_cast<double>(steps_per_epoch),
                           epoch_seconds > 0 ? static_cast<double>(b * steps_per_epoch) / epoch_seconds : 0, -1};
        losses.push_back(record.loss);
        if (c.monitor_every > 0 && ((epoch + 1) % c.monitor_every == 0 || epoch + 1 == c.epochs)) {
          record.knn_accuracy = monitor_knn(c, spec, result_backbone(), device);
        }
        result.history.push_back(record);
        progress.end_of_epoch = true;
        progress.epoch_loss = record.loss;
        progress.knn_accuracy = record.knn_accuracy;
      }
      if (on_progress) on_progress(progress);
    }
    const int64_t done = epoch + 1;
    if (rank == 0 && !c.checkpoint_path.empty() && c.checkpoint_every > 0 && (done % c.checkpoint_every == 0 || done == c.epochs)) {
      std::string file = c.checkpoint_path;
      const size_t mark = file.find("{epoch}");
      if (mark != std::string::npos) file.replace(mark, 7, to_text(done));
      save_training_checkpoint(c, *snapshot(done), nets, *optimizer, done, losses, file, device);
    }
  }
  result.encoder = snapshot(c.epochs);
  return result;
}

}  // namespace sslmem
