#include "promise_worker.h"

namespace sslmem {

Napi::Error make_js_error(Napi::Env env, ErrorKind kind, const std::string& code,
                          const std::string& message) {
  Napi::Error error = kind == ErrorKind::Type    ? Napi::TypeError::New(env, message)
                      : kind == ErrorKind::Range ? Napi::RangeError::New(env, message)
                                                 : Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  if (code == "ABORT_ERR") error.Set("name", Napi::String::New(env, "AbortError"));
  return error;
}

void throw_js(Napi::Env env, const Error& error) {
  throw make_js_error(env, error.kind(), error.code(), error.what());
}

PromiseWorker::PromiseWorker(Napi::Env env, Work work, Finish finish)
    : Napi::AsyncWorker(env, "sslmem"),
      deferred_(Napi::Promise::Deferred::New(env)),
      work_(std::move(work)),
      finish_(std::move(finish)) {}

Napi::Promise PromiseWorker::Run(Napi::Env env, const std::vector<Napi::Value>& keep_alive,
                                 Work work, Finish finish) {
  auto* worker = new PromiseWorker(env, std::move(work), std::move(finish));
  for (const auto& value : keep_alive) {
    if (value.IsObject()) worker->keep_alive_.push_back(Napi::Persistent(value));
  }
  Napi::Promise promise = worker->deferred_.Promise();
  worker->Queue();  // libuv owns it from here and deletes it after OnOK/OnError.
  return promise;
}

void PromiseWorker::Execute() {
  try {
    work_();
  } catch (const Error& e) {
    error_kind_ = e.kind();
    error_code_ = e.code();
    error_message_ = e.what();
    SetError(e.what());
  } catch (const std::bad_alloc&) {
    error_code_ = "ERR_SSLMEM_OUT_OF_MEMORY";
    error_message_ = "Out of memory while running a native sslmem job";
    SetError(error_message_);
  } catch (const std::exception& e) {
    error_code_ = "ERR_SSLMEM_NATIVE";
    error_message_ = e.what();
    SetError(error_message_);
  }
}

void PromiseWorker::OnOK() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  try {
    deferred_.Resolve(finish_(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  } catch (const Error& e) {
    deferred_.Reject(make_js_error(env, e.kind(), e.code(), e.what()).Value());
  } catch (const std::exception& e) {
    deferred_.Reject(make_js_error(env, ErrorKind::Runtime, "ERR_SSLMEM_NATIVE", e.what()).Value());
  }
}

void PromiseWorker::OnError(const Napi::Error&) {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  deferred_.Reject(make_js_error(env, error_kind_, error_code_, error_message_).Value());
}

Napi::Value guarded(const Napi::CallbackInfo& info,
                    const std::function<Napi::Value(const Napi::CallbackInfo&)>& body) {
  Napi::Env env = info.Env();
  try {
    return body(info);
  } catch (const Error& e) {
    throw_js(env, e);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw make_js_error(env, ErrorKind::Runtime, "ERR_SSLMEM_NATIVE", e.what());
  }
  return env.Undefined();  // unreachable: every branch above returns or throws
}

}  // namespace sslmem
