#include "args.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace sslmem {

namespace {

const char* typed_array_type_name(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: break;
  }
  return "TypedArray";
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

}  // namespace

std::string describe_value(const Napi::Value& value) {
  if (value.IsUndefined()) return "undefined";
  if (value.IsNull()) return "null";
  if (value.IsTypedArray()) {
    auto array = value.As<Napi::TypedArray>();
    return std::string("a ") + typed_array_type_name(array.TypedArrayType()) + " of length " +
           std::to_string(array.ElementLength());
  }
  if (value.IsArray()) return "an array of length " + std::to_string(value.As<Napi::Array>().Length());
  if (value.IsNumber()) return "the number " + to_text(value.As<Napi::Number>().DoubleValue());
  if (value.IsString()) return "the string \"" + value.As<Napi::String>().Utf8Value() + "\"";
  if (value.IsBoolean()) return value.As<Napi::Boolean>().Value() ? "true" : "false";
  if (value.IsFunction()) return "a function";
  if (value.IsObject()) return "an object";
  return "a value of another type";
}

template <> napi_typedarray_type typed_array_type_of<uint8_t>() { return napi_uint8_array; }
template <> napi_typedarray_type typed_array_type_of<int32_t>() { return napi_int32_array; }
template <> napi_typedarray_type typed_array_type_of<uint32_t>() { return napi_uint32_array; }
template <> napi_typedarray_type typed_array_type_of<uint16_t>() { return napi_uint16_array; }
template <> napi_typedarray_type typed_array_type_of<float>() { return napi_float32_array; }
template <> napi_typedarray_type typed_array_type_of<double>() { return napi_float64_array; }
template <> const char* typed_array_name_of<uint8_t>() { return "Uint8Array"; }
template <> const char* typed_array_name_of<int32_t>() { return "Int32Array"; }
template <> const char* typed_array_name_of<uint32_t>() { return "Uint32Array"; }
template <> const char* typed_array_name_of<uint16_t>() { return "Uint16Array"; }
template <> const char* typed_array_name_of<float>() { return "Float32Array"; }
template <> const char* typed_array_name_of<double>() { return "Float64Array"; }

template <typename T>
TensorArg<T> read_typed_array(const Napi::Value& value, const std::string& arg) {
  if (!value.IsTypedArray()) throw_type(arg, std::string("a ") + typed_array_name_of<T>(), describe_value(value));
  HeldBytes held = hold_typed_array(value);
  if (held.type != typed_array_type_of<T>()) {
    throw_type(arg, std::string("a ") + typed_array_name_of<T>(), describe_value(value));
  }
  TensorArg<T> out;
  out.size = held.length;
  out.shape = {static_cast<int64_t>(out.size)};
  out.holder = value;
  if (!held.resizable) {
    out.storage = std::move(held.owner);
    out.data = static_cast<T*>(held.data);
    return out;
  }
  // A resizable buffer may shrink under the job, which revokes the pages: the job reads its own
  // copy, from malloc, so that a copy that cannot be had is a RangeError rather than an abort.
  void* copy = std::malloc(std::max<size_t>(out.size, 1) * sizeof(T));
  if (copy == nullptr) {
    throw_range(arg, "an input whose copy fits in memory", to_text(out.size) + " elements of " + to_text(sizeof(T)) + " bytes");
  }
  if (out.size > 0) std::memcpy(copy, held.data, out.size * sizeof(T));
  out.storage = std::shared_ptr<void>(copy, std::free);
  out.data = static_cast<T*>(copy);
  return out;
}

template <typename T>
TensorArg<T> read_tensor(const Napi::Value& value, const std::string& arg, int rank) {
  if (!value.IsObject() || value.IsTypedArray() || value.IsArray()) {
    throw_type(arg, "a tensor {data, shape}", describe_value(value));
  }
  auto object = value.As<Napi::Object>();
  TensorArg<T> out = read_typed_array<T>(object.Get("data"), arg + ".data");
  Napi::Value shape_value = object.Get("shape");
  if (!shape_value.IsArray()) throw_type(arg + ".shape", "an array of integers", describe_value(shape_value));
  auto shape = shape_value.As<Napi::Array>();
  if (rank >= 0 && static_cast<int>(shape.Length()) != rank) {
    throw_range(arg + ".shape", "rank " + std::to_string(rank), "rank " + std::to_string(shape.Length()));
  }
  out.shape.clear();
  for (uint32_t i = 0; i < shape.Length(); ++i) {
    Napi::Value dim = shape.Get(i);
    std::string path = arg + ".shape[" + std::to_string(i) + "]";
    if (!dim.IsNumber()) throw_type(path, "a non-negative integer", describe_value(dim));
    double d = dim.As<Napi::Number>().DoubleValue();
    if (!(d >= 0) || std::floor(d) != d || d > 9.0e15) throw_range(path, "a non-negative integer", to_text(d));
    out.shape.push_back(static_cast<int64_t>(d));
  }
  // Checked: a shape whose product wraps 64 bits must not pass for a short array.
  uint64_t product = 1;
  for (int64_t d : out.shape) {
    if (d == 0) {
      product = 0;
      break;
    }
    if (product > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d)) {
      throw_range(arg + ".shape", "dimensions whose product fits 64 bits", shape_text(out.shape));
    }
    product *= static_cast<uint64_t>(d);
  }
  if (product != out.size) {
    throw_range(arg + ".data", std::to_string(product) + " elements for shape " + shape_text(out.shape),
                std::to_string(out.size));
  }
  out.holder = value;
  return out;
}

#define SSLMEM_INSTANTIATE(T)                                                              \
  template TensorArg<T> read_tensor<T>(const Napi::Value&, const std::string&, int);      \
  template TensorArg<T> read_typed_array<T>(const Napi::Value&, const std::string&);
SSLMEM_INSTANTIATE(uint8_t)
SSLMEM_INSTANTIATE(int32_t)
SSLMEM_INSTANTIATE(uint32_t)
SSLMEM_INSTANTIATE(uint16_t)
SSLMEM_INSTANTIATE(float)
SSLMEM_INSTANTIATE(double)
#undef SSLMEM_INSTANTIATE

double read_number(const Napi::Object& options, const char* key, const std::string& arg, double fallback) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber()) throw_type(arg, "a number", describe_value(value));
  double d = value.As<Napi::Number>().DoubleValue();
  if (std::isnan(d)) throw_range(arg, "a number", "NaN");
  return d;
}

int64_t read_int(const Napi::Object& options, const char* key, const std::string& arg, int64_t fallback) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber()) throw_type(arg, "an integer", describe_value(value));
  double d = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d) throw_range(arg, "an integer", to_text(d));
  return static_cast<int64_t>(d);
}

bool read_bool(const Napi::Object& options, const char* key, const std::string& arg, bool fallback) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsBoolean()) throw_type(arg, "a boolean", describe_value(value));
  return value.As<Napi::Boolean>().Value();
}

std::string read_string(const Napi::Object& options, const char* key, const std::string& arg,
                        const std::string& fallback) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsString()) throw_type(arg, "a string", describe_value(value));
  return value.As<Napi::String>().Utf8Value();
}

Napi::Object read_object(const Napi::Value& value, const std::string& arg) {
  if (!value.IsObject() || value.IsArray() || value.IsTypedArray()) {
    throw_type(arg, "an object", describe_value(value));
  }
  return value.As<Napi::Object>();
}

CancelFlag read_cancel_flag(const Napi::Object& options, const std::string& arg,
                            std::vector<Napi::Value>& keep_alive) {
  Napi::Value value = options.Get("cancel");
  if (value.IsUndefined()) return CancelFlag();
  if (!value.IsTypedArray()) throw_type(arg, "an Int32Array", describe_value(value));
  HeldBytes flag = hold_typed_array(value);
  if (flag.type != napi_int32_array || flag.resizable) throw_type(arg, "an Int32Array over a fixed-length buffer", describe_value(value));
  if (flag.length < 1) throw_range(arg, "an Int32Array of length >= 1", describe_value(value));
  keep_alive.push_back(value);
  return CancelFlag(static_cast<const int32_t*>(flag.data));
}

Napi::Float32Array adopt_float32(Napi::Env env, std::vector<float>&& values) {
  auto* owned = new std::vector<float>(std::move(values));
  auto buffer = Napi::ArrayBuffer::New(env, owned->data(), owned->size() * sizeof(float),
                                       [](Napi::Env, void*, std::vector<float>* v) { delete v; }, owned);
  return Napi::Float32Array::New(env, owned->size(), buffer, 0);
}

Napi::Float64Array adopt_float64(Napi::Env env, std::vector<double>&& values) {
  auto* owned = new std::vector<double>(std::move(values));
  auto buffer = Napi::ArrayBuffer::New(env, owned->data(), owned->size() * sizeof(double),
                                       [](Napi::Env, void*, std::vector<double>* v) { delete v; }, owned);
  return Napi::Float64Array::New(env, owned->size(), buffer, 0);
}

NativeFloat32 allocate_float32(size_t length, const std::string& arg) {
  if (length > kMaxOutputElements) throw_range(arg, "an output of at most " + to_text(kMaxOutputElements) + " elements", to_text(length) + " elements");
  NativeFloat32 out;
  out.block = std::shared_ptr<float>(calloc_or_throw<float>(length, arg), std::free);
  out.length = length;
  return out;
}

Napi::Float32Array adopt_float32(Napi::Env env, NativeFloat32 block) {
  auto* owned = new std::shared_ptr<float>(block.block);
  auto buffer = Napi::ArrayBuffer::New(env, owned->get(), block.length * sizeof(float),
                                       [](Napi::Env, void*, std::shared_ptr<float>* p) { delete p; }, owned);
  return Napi::Float32Array::New(env, block.length, buffer, 0);
}

Napi::Object make_tensor(Napi::Env env, Napi::Value data, const std::vector<int64_t>& shape) {
  Napi::Object tensor = Napi::Object::New(env);
  Napi::Array dims = Napi::Array::New(env, shape.size());
  for (size_t i = 0; i < shape.size(); ++i) dims.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(shape[i])));
  tensor.Set("data", data);
  tensor.Set("shape", dims);
  return tensor;
}

namespace {

std::string bracketed(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

}  // namespace

void expect_shape_tail(const std::string& arg, const std::vector<int64_t>& shape, const char* leading, const std::vector<int64_t>& tail,
                       const std::string& note) {
  if (shape.size() == tail.size() + 1 && std::equal(tail.begin(), tail.end(), shape.begin() + 1)) return;
  std::vector<std::string> expected{leading}, received;
  for (int64_t d : tail) expected.push_back(to_text(d));
  for (int64_t d : shape) received.push_back(to_text(d));
  throw_range(arg, bracketed(expected) + note, bracketed(received));
}

int64_t read_batch_size(const Napi::Object& options, int64_t fallback) {
  const int64_t batch = read_int(options, "batchSize", "options.batchSize", fallback);
  if (batch < 1) throw_range("options.batchSize", "an integer >= 1", to_text(batch));
  return batch;
}

void export_functions(Napi::Env env, Napi::Object exports, std::initializer_list<ExportedFunction> functions) {
  for (const auto& f : functions) exports.Set(f.name, Napi::Function::New(env, f.function, f.name));
}

}  // namespace sslmem
