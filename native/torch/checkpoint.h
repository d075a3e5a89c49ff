// Encoder files: one torch::serialize archive (the zip format of torch.save) holding
//   sslmem.format       "sslmem-encoder/1"
//   sslmem.description  the JSON description (string)
//   sslmem.architecture, sslmem.shape ([C, H, W]), sslmem.width, and sslmem.settings ("name=value"
//                       strings, the architecture's own settings; absent when it has none)
//   backbone/...        the weights and BN buffers of a native backbone, or
//   torchscript         the bytes of an imported TorchScript module
//   training/...        optional: heads, target network, optimizer state, epoch (training checkpoints)
// A training checkpoint is therefore also a loadable encoder file. Writes go to PATH.tmp-PID
// then rename(2), so a reader never sees a partial file. A missing file gives
// ERR_SSLMEM_FILE_NOT_FOUND; anything unreadable (truncated, not an archive, not ours) gives
// ERR_SSLMEM_CORRUPT_FILE naming the path.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>

#include "encoder_state.h"

namespace sslmem {

extern const char* const kEncoderFormat;  // "sslmem-encoder/1"

// Writes the encoder (and, if given, extra entries such as training state) atomically.
void save_encoder_file(const EncoderState& encoder, const std::string& path,
                       const std::function<void(torch::serialize::OutputArchive&)>& extra = nullptr);

// Reads an encoder file; `extra` sees the archive after the encoder was read (training state).
std::shared_ptr<EncoderState> load_encoder_file(
    const std::string& path, const std::function<void(torch::serialize::InputArchive&)>& extra = nullptr);

// Writes an archive to PATH.tmp-PID then renames it onto PATH.
void save_archive_atomic(torch::serialize::OutputArchive& archive, const std::string& path);

// Imports a TorchScript backbone (torch.jit.trace/script, saved with torch.jit.save). Validated
// by a forward pass on zeros [2, C, H, W] that must give a 2-D float tensor [2, D]; otherwise
// ERR_SSLMEM_INCOMPATIBLE_MODEL saying what came out.
std::shared_ptr<EncoderState> load_torchscript_file(const std::string& path, int64_t c, int64_t h, int64_t w);

}  // namespace sslmem
