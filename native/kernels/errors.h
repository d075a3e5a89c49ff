// Errors raised by native code, independent of N-API and torch.
//
// Kernels and torch code run on worker threads where no JS call is allowed, so they throw
// sslmem::Error; the addon glue (native/addon/promise_worker.h) turns it into a JS error whose
// class (TypeError, RangeError, Error) and stable `code` come from here. Every message names
// the argument, what was expected and what was received.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace sslmem {

enum class ErrorKind { Type, Range, Runtime };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string code, const std::string& message)
      : std::runtime_error(message), kind_(kind), code_(std::move(code)) {}
  ErrorKind kind() const { return kind_; }
  const std::string& code() const { return code_; }

 private:
  ErrorKind kind_;
  std::string code_;
};

// "Expected <expected> for <arg> but received <received>", the one phrasing used everywhere.
inline std::string expected_message(const std::string& arg, const std::string& expected,
                                    const std::string& received) {
  return "Expected " + expected + " for " + arg + " but received " + received;
}

[[noreturn]] inline void throw_type(const std::string& arg, const std::string& expected,
                                    const std::string& received) {
  throw Error(ErrorKind::Type, "ERR_SSLMEM_INVALID_TYPE", expected_message(arg, expected, received));
}

[[noreturn]] inline void throw_range(const std::string& arg, const std::string& expected,
                                     const std::string& received) {
  throw Error(ErrorKind::Range, "ERR_SSLMEM_OUT_OF_RANGE", expected_message(arg, expected, received));
}

[[noreturn]] inline void throw_runtime(const std::string& code, const std::string& message) {
  throw Error(ErrorKind::Runtime, code, message);
}

template <typename T>
std::string to_text(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace sslmem
