// Implements encoder_state.h and checkpoint.h (encoder files, TorchScript import).
#include "checkpoint.h"

#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "../kernels/errors.h"
#include "zip_check.h"

namespace sslmem {

const char* const kEncoderFormat = "sslmem-encoder/1";

std::recursive_mutex& torch_seed_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

torch::Tensor EncoderState::embed_batch(const torch::Tensor& images) {
  std::lock_guard<std::mutex> lock(mutex);
  torch::InferenceMode inference_mode;
  return eager_forward(images);
}

torch::Tensor EncoderState::embed_inference(const torch::Tensor& images, const InferenceOptions& options) {
  std::lock_guard<std::mutex> lock(mutex);
  return inference.forward(*this, images, options);
}

torch::Tensor EncoderState::eager_forward(const torch::Tensor& images) {
  if (script) {
    script->eval();
    return script->forward({images}).toTensor().to(torch::kFloat32).contiguous();
  }
  net->eval();
  return net->forward(images).contiguous();
}

std::shared_ptr<EncoderState> create_encoder(const BackboneSpec& spec, uint64_t seed) {
  auto state = std::make_shared<EncoderState>();
  state->spec = spec;
  resolve_settings(state->spec);
  {
    std::lock_guard<std::recursive_mutex> lock(torch_seed_mutex());
    torch::manual_seed(seed);
    state->net = make_backbone(spec);
  }
  state->repr_dim = state->net->repr_dim();
  return state;
}

std::shared_ptr<EncoderState> clone_encoder(const EncoderState& source) {
  if (source.script) throw_range("encoder", "a native encoder (TorchScript encoders cannot be trained here)", "a TorchScript encoder");
  auto copy = std::make_shared<EncoderState>();
  copy->spec = source.spec;
  copy->net = make_backbone(source.spec);
  copy_module_state(*source.net, *copy->net);
  copy->repr_dim = source.repr_dim;
  copy->description = source.description;
  return copy;
}

namespace {

// Flushes a file (or a directory's entries, after a rename in it) to the disk, so that a power cut
// after a save returned cannot leave a renamed but empty file. False when it could not be opened or synced.
bool fsync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0 || errno == EINVAL;  // EINVAL: a file system that cannot sync directories
  ::close(fd);
  return ok;
}

std::string parent_directory(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void save_archive_atomic(torch::serialize::OutputArchive& archive, const std::string& path) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  try {
    archive.save_to(tmp);
    if (!fsync_path(tmp)) throw std::runtime_error("fsync failed");
  } catch (const std::exception& e) {
    std::remove(tmp.c_str());
    throw_runtime("ERR_SSLMEM_WRITE_FAILED", "Could not write " + path + ": " + e.what());
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw_runtime("ERR_SSLMEM_WRITE_FAILED", "Could not rename " + tmp + " onto " + path);
  }
  fsync_path(parent_directory(path));
}

void save_encoder_file(const EncoderState& encoder, const std::string& path,
                       const std::function<void(torch::serialize::OutputArchive&)>& extra) {
  torch::serialize::OutputArchive archive;
  archive.write("sslmem.format", c10::IValue(std::string(kEncoderFormat)));
  archive.write("sslmem.description", c10::IValue(encoder.description));
  archive.write("sslmem.architecture", c10::IValue(encoder.spec.architecture));
  archive.write("sslmem.shape", c10::IValue(std::vector<int64_t>{encoder.spec.channels, encoder.spec.height, encoder.spec.width_px}));
  archive.write("sslmem.width", c10::IValue(encoder.spec.width));
  std::vector<std::string> settings;  // "name=value"; absent in files from before settings existed
  for (const auto& [name, value] : encoder.spec.settings) settings.push_back(name + "=" + value);
  if (!settings.empty()) archive.write("sslmem.settings", c10::IValue(c10::List<std::string>(settings)));
  if (encoder.script) {
    archive.write("torchscript", c10::IValue(encoder.script_bytes));
  } else {
    torch::serialize::OutputArchive backbone;
    encoder.net->save(backbone);
    archive.write("backbone", backbone);
  }
  if (extra) extra(archive);
  save_archive_atomic(archive, path);
}

namespace {

[[noreturn]] void throw_corrupt(const std::string& path, const std::string& why) {
  throw_runtime("ERR_SSLMEM_CORRUPT_FILE", "Expected an sslmem encoder file for " + path + " but it could not be read (" + why + ")");
}

std::shared_ptr<EncoderState> torchscript_from_bytes(std::string bytes, int64_t c, int64_t h, int64_t w,
                                                     const std::string& path) {
  auto state = std::make_shared<EncoderState>();
  try {
    std::istringstream stream(bytes);
    state->script = std::make_shared<torch::jit::script::Module>(torch::jit::load(stream, torch::kCPU));
  } catch (const std::exception& e) {
    throw_runtime("ERR_SSLMEM_CORRUPT_FILE", "Expected a TorchScript file (torch.jit.save) for " + path +
                                                 " but it could not be loaded: " + std::string(e.what()).substr(0, 300));
  }
  state->script_bytes = std::move(bytes);
  state->spec.architecture = "torchscript";
  state->spec.channels = c;
  state->spec.height = h;
  state->spec.width_px = w;
  torch::Tensor out;
  try {
    torch::InferenceMode inference;
    state->script->eval();
    auto value = state->script->forward({torch::zeros({2, c, h, w})});
    if (!value.isTensor()) {
      throw_runtime("ERR_SSLMEM_INCOMPATIBLE_MODEL", "Expected the TorchScript module in " + path +
                                                         " to return one tensor but it returned " + value.tagKind());
    }
    out = value.toTensor();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw_runtime("ERR_SSLMEM_INCOMPATIBLE_MODEL", "Expected the TorchScript module in " + path + " to accept float input [2, " +
                                                       to_text(c) + ", " + to_text(h) + ", " + to_text(w) +
                                                       "] but its forward failed: " + std::string(e.what()).substr(0, 300));
  }
  if (out.dim() != 2 || out.size(0) != 2 || !out.is_floating_point()) {
    throw_runtime("ERR_SSLMEM_INCOMPATIBLE_MODEL", "Expected the TorchScript module in " + path +
                                                       " to return a 2-D float tensor [2, D] for input [2, " + to_text(c) + ", " +
                                                       to_text(h) + ", " + to_text(w) + "] but it returned shape " +
                                                       to_text(out.sizes()) + " (" + std::string(c10::toString(out.scalar_type())) + ")");
  }
  state->repr_dim = out.size(1);
  return state;
}

// The whole file, read only when it is a regular file (a device such as /dev/zero never ends) and
// only after its zip container checks out (zip_check.h): libtorch itself never checks the CRCs.
std::string read_verified_file(const std::string& path, const std::string& what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) throw_runtime("ERR_SSLMEM_FILE_NOT_FOUND", "Expected " + what + " at " + path + " but no such file exists");
  if (!S_ISREG(info.st_mode)) {
    throw_runtime("ERR_SSLMEM_CORRUPT_FILE", "Expected " + what + " for " + path + " but received " +
                                                 (S_ISDIR(info.st_mode) ? "a directory" : "a device, pipe or socket (not a regular file)"));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) throw_runtime("ERR_SSLMEM_FILE_NOT_FOUND", "Expected a readable file for " + what + " but received " + path);
  std::string bytes(static_cast<size_t>(info.st_size), '\0');
  file.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<size_t>(file.gcount()) != bytes.size()) {
    throw_runtime("ERR_SSLMEM_CORRUPT_FILE", "Expected " + what + " for " + path + " but it shrank while being read");
  }
  verify_zip_container(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path, what);
  return bytes;
}

}  // namespace

std::shared_ptr<EncoderState> load_encoder_file(const std::string& path,
                                                const std::function<void(torch::serialize::InputArchive&)>& extra) {
  std::string bytes = read_verified_file(path, "an sslmem encoder file");
  torch::serialize::InputArchive archive;
  try {
    std::istringstream stream(bytes);
    archive.load_from(stream);
  } catch (const std::exception& e) {
    throw_corrupt(path, "not a complete torch archive");
  }
  std::shared_ptr<EncoderState> state;
  try {
    c10::IValue format, description, architecture, shape, width;
    if (!archive.try_read("sslmem.format", format) || !format.isString() || format.toStringRef() != kEncoderFormat) {
      throw_corrupt(path, "no sslmem-encoder/1 format marker");
    }
    archive.read("sslmem.description", description);
    archive.read("sslmem.architecture", architecture);
    archive.read("sslmem.shape", shape);
    archive.read("sslmem.width", width);
    auto dims = shape.toIntVector();
    if (dims.size() != 3) throw_corrupt(path, "input shape is not [C, H, W]");
    c10::IValue script;
    if (archive.try_read("torchscript", script)) {
      state = torchscript_from_bytes(script.toStringRef(), dims[0], dims[1], dims[2], path);
    } else {
      BackboneSpec spec;
      spec.architecture = architecture.toStringRef();
      spec.channels = dims[0];
      spec.height = dims[1];
      spec.width_px = dims[2];
      spec.width = width.toDouble();
      c10::IValue settings;
      if (archive.try_read("sslmem.settings", settings)) {
        for (const auto& item : settings.toListRef()) {
          const std::string text = item.toStringRef();
          const size_t eq = text.find('=');
          if (eq == std::string::npos) throw_corrupt(path, "a setting without '='");
          spec.settings[text.substr(0, eq)] = text.substr(eq + 1);
        }
      }
      resolve_settings(spec);
      state = std::make_shared<EncoderState>();
      state->spec = spec;
      state->net = make_backbone(spec);
      torch::serialize::InputArchive backbone;
      archive.read("backbone", backbone);
      state->net->load(backbone);
      state->repr_dim = state->net->repr_dim();
    }
    state->description = description.toStringRef();
    if (extra) extra(archive);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw_corrupt(path, std::string(e.what()).substr(0, 200));
  }
  return state;
}

std::shared_ptr<EncoderState> load_torchscript_file(const std::string& path, int64_t c, int64_t h, int64_t w) {
  return torchscript_from_bytes(read_verified_file(path, "a TorchScript file (torch.jit.save)"), c, h, w, path);
}

}  // namespace sslmem
