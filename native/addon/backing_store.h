// Holding a JS buffer's memory for the length of a native job (issue 16, README "Buffers during a
// call"). N-API gives a typed array's data pointer but no way to keep that memory alive: after the
// caller transfers (detaches) the buffer, its new owner may be collected and the memory freed while
// a worker still reads it. V8's BackingStore is reference-counted, so a job holding a
// std::shared_ptr to it keeps the bytes alive whatever happens to the JS objects. This is the one
// place in the glue that steps below N-API into V8's API.
#pragma once

#include <napi.h>

#include <cstddef>
#include <memory>

namespace sslmem {

struct HeldBytes {
  void* data = nullptr;          // first element (byteOffset applied); null when detached
  size_t length = 0;             // elements now
  napi_typedarray_type type{};
  bool resizable = false;        // a resizable (non-shared) ArrayBuffer: shrinking it revokes pages
  std::shared_ptr<void> owner;   // the BackingStore; holding it keeps `data` valid
};

// `value` must be a typed array (checked by the caller).
HeldBytes hold_typed_array(const Napi::Value& value);

// V8's API, unlike N-API, is only stable within one V8 version (one Node major): an addon built
// against another Node's headers must not run. Throws an error with `code` (the tier's "missing"
// code) at load, naming both versions, when this Node's V8 major.minor is not the one built against.
void require_built_node(Napi::Env env, const char* addon, const char* code);

}  // namespace sslmem
