// The one way sslmem exposes native work to JS: a Promise whose work runs on a libuv worker
// thread (lovell/sharp's pattern). `work` is plain C++ and may throw sslmem::Error; it must not
// touch N-API. `finish` runs on the main thread and builds the resolved value. Every JS value
// whose memory the work reads or writes is passed in `keep_alive` so it outlives the job.
#pragma once

#include <napi.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../kernels/errors.h"

namespace sslmem {

// Builds the JS error for a native failure: TypeError/RangeError/Error with a `code` property.
Napi::Error make_js_error(Napi::Env env, ErrorKind kind, const std::string& code,
                          const std::string& message);

// Throws a native sslmem::Error synchronously into JS (for argument checks on the main thread).
void throw_js(Napi::Env env, const Error& error);

class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;
  using Finish = std::function<Napi::Value(Napi::Env)>;

  static Napi::Promise Run(Napi::Env env, const std::vector<Napi::Value>& keep_alive, Work work,
                           Finish finish);

  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  PromiseWorker(Napi::Env env, Work work, Finish finish);

  Napi::Promise::Deferred deferred_;
  Work work_;
  Finish finish_;
  std::vector<Napi::Reference<Napi::Value>> keep_alive_;
  ErrorKind error_kind_ = ErrorKind::Runtime;
  std::string error_code_;
  std::string error_message_;
};

// Wraps a synchronous N-API function body so that sslmem::Error and std::exception become JS
// errors instead of terminating the process.
Napi::Value guarded(const Napi::CallbackInfo& info,
                    const std::function<Napi::Value(const Napi::CallbackInfo&)>& body);

}  // namespace sslmem
