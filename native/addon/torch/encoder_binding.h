// JS handles of native encoders (Napi::ObjectWrap holding a shared EncoderState).
#pragma once

#include <napi.h>

#include <memory>

#include "../../torch/encoder_state.h"

namespace sslmem {

// The EncoderState behind a handle made by this module; TypeError naming `arg` otherwise.
std::shared_ptr<EncoderState> encoder_from_value(const Napi::Value& value, const std::string& arg);

// A new JS handle owning (a share of) `state`.
Napi::Object wrap_encoder(Napi::Env env, std::shared_ptr<EncoderState> state);

}  // namespace sslmem
