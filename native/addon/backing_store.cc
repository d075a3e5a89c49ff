#include "backing_store.h"

#include <v8.h>

#include <cstring>

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

}  // namespace sslmem
