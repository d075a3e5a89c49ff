// Cooperative cancellation shared between JS (an AbortSignal writes 1 into an Int32Array) and
// a worker thread that polls it between units of work. The flag's memory is owned by JS and
// kept alive by the worker's references for the whole job.
#pragma once

#include <cstdint>

#include "errors.h"

namespace sslmem {

class CancelFlag {
 public:
  CancelFlag() = default;
  explicit CancelFlag(const int32_t* flag) : flag_(flag) {}
  bool requested() const { return flag_ != nullptr && __atomic_load_n(flag_, __ATOMIC_RELAXED) != 0; }
  // Throws the error that the JS side maps to an AbortError.
  void throw_if_requested() const {
    if (requested()) throw Error(ErrorKind::Runtime, "ABORT_ERR", "The operation was aborted");
  }

 private:
  const int32_t* flag_ = nullptr;
};

}  // namespace sslmem
