#include "backing_store.h"

#include <v8-version.h>
#include <v8.h>

#include <cstring>
#include <string>

namespace sslmem {

namespace {

// A napi_value is a V8 handle (Node's own v8impl::V8LocalValueFromJsValue converts it this way).
v8::Local<v8::Value> to_v8(napi_value value) {
  v8::Local<v8::Value> local;
  static_assert(sizeof(local) == sizeof(value), "napi_value and v8::Local differ in size");
  std::memcpy(static_cast<void*>(&local), &value, sizeof(value));
  return local;
}

}  // namespace

HeldBytes hold_typed_array(const Napi::Value& value) {
  HeldBytes held;
  napi_status status = napi_get_typedarray_info(value.Env(), value, &held.type, nullptr, nullptr, nullptr, nullptr);
  if (status != napi_ok) throw Napi::Error::New(value.Env());
  v8::Local<v8::TypedArray> array = to_v8(value).As<v8::TypedArray>();
  std::shared_ptr<v8::BackingStore> store = array->Buffer()->GetBackingStore();
  held.resizable = store->IsResizableByUserJavaScript() && !store->IsShared();
  held.length = array->Length();  // 0 once detached or out of bounds after a shrink
  held.data = store->Data() == nullptr || held.length == 0 ? nullptr : static_cast<uint8_t*>(store->Data()) + array->ByteOffset();
  held.owner = std::move(store);
  return held;
}

void require_built_node(Napi::Env env, const char* addon, const char* code) {
  const std::string built = std::to_string(V8_MAJOR_VERSION) + "." + std::to_string(V8_MINOR_VERSION) + ".";
  Napi::Value process = env.Global().Get("process");
  std::string running = "unknown";
  if (process.IsObject()) {
    Napi::Value versions = process.As<Napi::Object>().Get("versions");
    if (versions.IsObject()) running = versions.As<Napi::Object>().Get("v8").ToString().Utf8Value();
  }
  if (running.compare(0, built.size(), built) == 0) return;
  Napi::Error error = Napi::Error::New(env, std::string("Expected a Node whose V8 is ") + built + "x (the headers " + addon +
                                                " was built against) but received V8 " + running + "; rebuild it for this Node");
  error.Set("code", Napi::String::New(env, code));
  throw error;
}

}  // namespace sslmem
