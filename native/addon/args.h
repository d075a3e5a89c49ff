// Typed readers for values crossing from JS: tensors ({data: TypedArray, shape: number[]}),
// numbers, booleans, strings and options objects. Each names the argument path in its error
// ("options.views", "images.shape[2]") and says what was expected and what came.
// The TS façade validates first; these checks are the native side's own line of defence.
#pragma once

#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "../kernels/cancel.h"
#include "../kernels/errors.h"
#include "../kernels/sizes.h"
#include "backing_store.h"

namespace sslmem {

// A JS typed array's elements with their logical shape. Buffer contract (issue 16, README "Buffers
// during a call"): `storage` keeps `data` valid for as long as it is held, whatever the caller does
// to its buffer meanwhile. It is the buffer's V8 BackingStore (backing_store.h: zero-copy, alive
// even after the caller transfers the buffer), or, for a resizable ArrayBuffer, whose shrinking
// revokes the pages, a private copy taken before the job is queued. Whatever holds `data` on a
// worker must hold `storage` too. `holder` is the JS object.
template <typename T>
struct TensorArg {
  T* data = nullptr;
  std::vector<int64_t> shape;
  size_t size = 0;
  Napi::Value holder;
  std::shared_ptr<void> storage;
};


// Describes a JS value for error messages ("a Float64Array of length 3", "undefined", ...).
std::string describe_value(const Napi::Value& value);

template <typename T>
napi_typedarray_type typed_array_type_of();
template <typename T>
const char* typed_array_name_of();

// Reads {data, shape}; checks the dtype, that the shape has `rank` dims (rank < 0: any), and
// that the product of the shape equals the data length.
template <typename T>
TensorArg<T> read_tensor(const Napi::Value& value, const std::string& arg, int rank = -1);

// Reads a bare typed array of the given element type (any length), held (see TensorArg).
template <typename T>
TensorArg<T> read_typed_array(const Napi::Value& value, const std::string& arg);

double read_number(const Napi::Object& options, const char* key, const std::string& arg, double fallback);
int64_t read_int(const Napi::Object& options, const char* key, const std::string& arg, int64_t fallback);
bool read_bool(const Napi::Object& options, const char* key, const std::string& arg, bool fallback);
std::string read_string(const Napi::Object& options, const char* key, const std::string& arg,
                        const std::string& fallback);
Napi::Object read_object(const Napi::Value& value, const std::string& arg);

// options.cancel: an optional Int32Array of length >= 1 written by the JS AbortSignal listener and
// polled by the job in place; lib/abort.ts makes it and never exposes it, keep_alive holds it.
CancelFlag read_cancel_flag(const Napi::Object& options, const std::string& arg,
                            std::vector<Napi::Value>& keep_alive);

// Hands a native buffer to JS as a Float32Array without copying (freed by the GC).
Napi::Float32Array adopt_float32(Napi::Env env, std::vector<float>&& values);
Napi::Float64Array adopt_float64(Napi::Env env, std::vector<double>&& values);

// A float32 output made natively (sizes.h: checked length, calloc, RangeError naming `arg` when
// it cannot be had) and handed to JS without copying; V8's own allocator aborts the process
// instead. `data` stays valid while the JS array lives.
struct NativeFloat32 {
  std::shared_ptr<float> block;
  size_t length = 0;
  float* data() const { return block.get(); }
};
NativeFloat32 allocate_float32(size_t length, const std::string& arg);
Napi::Float32Array adopt_float32(Napi::Env env, NativeFloat32 block);

// RangeError naming `arg` unless shape[1..] equals `tail` (the leading dimension, called `leading`
// in the message, is free): "Expected [M, 1, 28, 28] for views.shape but received [4, 3, 32, 32]".
void expect_shape_tail(const std::string& arg, const std::vector<int64_t>& shape, const char* leading, const std::vector<int64_t>& tail,
                       const std::string& note = "");

// options.batchSize: an integer >= 1 (default `fallback`).
int64_t read_batch_size(const Napi::Object& options, int64_t fallback);

// Sets each named function on `exports`: a binding file's Register* hook lists its functions here.
struct ExportedFunction {
  const char* name;
  Napi::Function::Callback function;
};
void export_functions(Napi::Env env, Napi::Object exports, std::initializer_list<ExportedFunction> functions);

// {data, shape} object for a typed array.
Napi::Object make_tensor(Napi::Env env, Napi::Value data, const std::vector<int64_t>& shape);

}  // namespace sslmem
