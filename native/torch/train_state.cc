// Implements train_state.h.
#include "train_state.h"

#include "../kernels/errors.h"
#include "checkpoint.h"

namespace sslmem {

namespace {

// Saves on the CPU so that checkpoints load on any device.
void save_module(torch::serialize::OutputArchive& archive, const std::string& key, torch::nn::Module& module, const torch::Device& device) {
  torch::serialize::OutputArchive sub;
  module.to(torch::kCPU);
  module.save(sub);
  module.to(device);
  archive.write(key, sub);
}

void load_module(torch::serialize::InputArchive& archive, const std::string& key, torch::nn::Module& module) {
  torch::serialize::InputArchive sub;
  archive.read(key, sub);
  module.load(sub);
}

}  // namespace

void save_training_checkpoint(const TrainConfig& c, const EncoderState& state, Networks& nets, torch::optim::Optimizer& optimizer,
                              int64_t epoch, const std::vector<double>& losses, const std::string& path, const torch::Device& device) {
  save_encoder_file(state, path, [&](torch::serialize::OutputArchive& archive) {
    torch::serialize::OutputArchive training;
    training.write("method", c10::IValue(c.method));
    training.write("batch_size", c10::IValue(c.batch_size));
    training.write("n", c10::IValue(c.n));
    training.write("epoch", c10::IValue(epoch));
    training.write("loss_history", c10::IValue(losses));
    if (!nets.projector.is_empty()) save_module(training, "projector", *nets.projector, device);
    if (nets.head) save_module(training, "head", *nets.head, device);
    if (!nets.predictor.is_empty()) save_module(training, "predictor", *nets.predictor, device);
    if (nets.target_backbone) save_module(training, "target_backbone", *nets.target_backbone, device);
    // The file's encoder is the target when the method's result is (DINO's teacher); the online
    // backbone, which resume trains on, is then kept here.
    if (find_method(c.method, "options.method").result_is_target) save_module(training, "online_backbone", *nets.backbone, device);
    if (!nets.target_projector.is_empty()) save_module(training, "target_projector", *nets.target_projector, device);
    if (nets.target_head) save_module(training, "target_head", *nets.target_head, device);
    torch::serialize::OutputArchive optim;
    optimizer.save(optim);
    training.write("optimizer", optim);
    archive.write("training", training);
  });
}

int64_t resume_training(const TrainConfig& c, Networks& nets, torch::optim::Optimizer& optimizer, std::vector<double>& losses) {
  int64_t epochs_done = 0;
  load_encoder_file(c.resume, [&](torch::serialize::InputArchive& archive) {
    torch::serialize::InputArchive training;
    if (!archive.try_read("training", training)) {
      throw_runtime("ERR_SSLMEM_CORRUPT_FILE", "Expected a training checkpoint for options.resume but " + c.resume + " holds an encoder only");
    }
    c10::IValue method, epoch, history, batch, n;
    training.read("method", method);
    training.read("batch_size", batch);
    training.read("n", n);
    if (method.toStringRef() != c.method || batch.toInt() != c.batch_size || n.toInt() != c.n) {
      throw_runtime("ERR_SSLMEM_MISMATCH", "Expected a checkpoint of the same run for options.resume (method " + c.method + ", batch size " +
                                               to_text(c.batch_size) + ", " + to_text(c.n) + " images) but " + c.resume + " has method " +
                                               method.toStringRef() + ", batch size " + to_text(batch.toInt()) + ", " + to_text(n.toInt()) + " images");
    }
    training.read("epoch", epoch);
    training.read("loss_history", history);
    epochs_done = epoch.toInt();
    losses = history.toDoubleVector();
    torch::serialize::InputArchive online;
    if (training.try_read("online_backbone", online)) {
      nets.backbone->load(online);
    } else {
      load_module(archive, "backbone", *nets.backbone);
    }
    if (!nets.projector.is_empty()) load_module(training, "projector", *nets.projector);
    if (nets.head) load_module(training, "head", *nets.head);
    if (!nets.predictor.is_empty()) load_module(training, "predictor", *nets.predictor);
    if (nets.target_backbone) load_module(training, "target_backbone", *nets.target_backbone);
    if (!nets.target_projector.is_empty()) load_module(training, "target_projector", *nets.target_projector);
    if (nets.target_head) load_module(training, "target_head", *nets.target_head);
    torch::serialize::InputArchive optim;
    training.read("optimizer", optim);
    optimizer.load(optim);
  });
  return epochs_done;
}

}  // namespace sslmem
