// The SSL training loop (runs on a worker thread; no N-API here).
//
// Each epoch visits the images in an order drawn from (seed, epoch, item key) alone: item keys are
// dataset indices when the caller gives them (itemIds), so the images two runs share get the same
// relative order and the same augmentation streams in both. floor(N / batch) full batches (the last partial batch is dropped, as in the
// reference implementations). Each batch gets the method's views per image (two, or one; DINO adds
// smaller local views) from a ViewSource keyed by (seed, epoch, item key, view); the next batch's views are made on a second thread while the
// current batch trains. The learning rate follows schedule.h per step. Checkpoints (every N
// epochs, atomic) hold the online backbone, heads, the momentum target network, the optimizer state and
// the loss history, so that resuming reproduces the uninterrupted run's losses on CPU.
//
// Data parallel (config.collective set, W ranks): every rank walks the same permutation and takes
// its own B/W slice of each global batch of B, computes the method's loss on that slice (negatives,
// batch-norm statistics and batch-wide loss terms are per rank, as PyTorch DDP without SyncBatchNorm or
// a gathered loss), and the gradients are averaged before each optimizer step, so every rank holds
// the same weights. Rank 0's initial state is broadcast; batch-norm running statistics are averaged
// at each epoch's end; reported losses are the mean over ranks; only rank 0 writes checkpoints. An
// abort on any rank stops all ranks at the same step. W = 1 reproduces a single-process run exactly.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../kernels/cancel.h"
#include "collective.h"
#include "encoder_state.h"

namespace sslmem {

// `count` views of one size per image.
struct ViewGroup {
  int64_t count = 0, channels = 0, height = 0, width = 0;
  int64_t floats_per_image() const { return count * channels * height * width; }
};

// Makes each step's views. `fill` writes the views of n items (positions in the training set) in
// `epoch` into out, group after group, group g as [n, count_g, C, H_g, W_g] floats; it keys their
// random streams by the items' keys. Group 0 holds the method's views per step at the encoder's
// input size; further groups (multi-crop's local crops) only for methods that take them.
struct ViewSource {
  std::vector<ViewGroup> groups;
  std::function<void(const int64_t* items, int64_t n, int64_t epoch, float* out)> fill;
  int64_t floats_per_image() const {
    int64_t total = 0;
    for (const auto& g : groups) total += g.floats_per_image();
    return total;
  }
};

struct MonitorSet {
  const uint8_t* images = nullptr;  // [n, H, W, C]
  const int32_t* labels = nullptr;
  int64_t n = 0;
};

// Field names are the camelCase JS names of native train options (lib/train/native.ts) in
// snake_case; test/train/native-contract.test.ts holds the two lists equal.
struct TrainConfig {
  std::string method = "simclr";          // a registered method (methods/method.h)
  std::map<std::string, double> method_options;  // as given; the method's defaults fill the rest
  std::vector<int64_t> projector_dims;    // hidden..., out (input is the representation size); empty: the method's
  bool projector_batch_norm = true;       // BN after each hidden projector layer
  std::vector<int64_t> predictor_dims;    // hidden..., out must equal projector out; empty: the method's
  int64_t epochs = 1;
  int64_t batch_size = 256;
  int64_t n = 0;                          // training images
  std::vector<int64_t> item_ids;          // per image: key of its order and view streams (default: position)
  std::string optimizer = "sgd";          // sgd | adam | adamw | lars
  std::vector<double> betas{0.9, 0.999};  // Adam and AdamW
  double lr = 0.06;
  double momentum = 0.9;
  double weight_decay = 5e-4;
  double warmup_epochs = 0;
  uint64_t seed = 0;
  int threads = 0;                         // libtorch intra-op threads (0: leave as is)
  std::string device = "cpu";
  std::string checkpoint_path;            // "{epoch}" in it is replaced by the epoch count
  int64_t checkpoint_every = 0;
  std::string resume;                     // checkpoint to continue from
  // Monitor (weighted kNN, Wu et al. 2018).
  int64_t monitor_every = 0;
  MonitorSet monitor_train, monitor_test;
  int64_t monitor_classes = 0;
  std::vector<float> normalize_mean, normalize_std;
  // Description JSON without "epoch" and "lossHistory" (written into checkpoints with them added).
  std::string description;
  // Data-parallel process group; null for a single process. batch_size is the global batch.
  std::shared_ptr<Collective> collective;
};

struct TrainProgress {
  int64_t epoch = 0, step = 0, steps_per_epoch = 0;
  double loss = 0, lr = 0, images_per_second = 0;
  bool end_of_epoch = false;
  double epoch_loss = 0;
  double knn_accuracy = -1;  // < 0: not measured this epoch
};

struct EpochRecord {
  int64_t epoch = 0;
  double loss = 0, images_per_second = 0, knn_accuracy = -1;
};

struct TrainResult {
  std::shared_ptr<EncoderState> encoder;
  std::vector<EpochRecord> history;       // every epoch, resumed ones included
  int64_t first_epoch_run = 0;            // epochs before this were restored from `resume`
};

// Description JSON with "epoch" and "lossHistory" spliced in before the closing brace.
std::string description_with_progress(const std::string& base, int64_t epoch, const std::vector<double>& losses);

// The order of an epoch: positions 0..keys.size()-1 sorted by a hash of (seed, epoch, keys[i]).
std::vector<int64_t> epoch_order(const std::vector<int64_t>& keys, uint64_t seed, int64_t epoch);

TrainResult run_training(const TrainConfig& config, const EncoderState& initial, const ViewSource& views,
                         const std::function<void(const TrainProgress&)>& on_progress, const CancelFlag& cancel);

}  // namespace sslmem
