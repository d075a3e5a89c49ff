// Sizes of outputs and scratch buffers, computed so that they cannot wrap (issue 16).
//
// Policy, the same in every native entry:
//  - element counts are products of non-negative factors in uint64 with an overflow check;
//  - an output returned to JS is one typed array, so its element count is at most
//    kMaxOutputElements (V8's typed-array length limit in Node 20, the oldest Node `engines`
//    allows: 2^32 elements);
//  - the memory is allocated with a non-throwing allocator (calloc, or a std::vector whose
//    bad_alloc is caught), never with V8's ArrayBuffer allocator, which aborts the process
//    ("ArrayBuffer allocation failed") instead of throwing.
// Each failure is a RangeError (ERR_SSLMEM_OUT_OF_RANGE) naming the argument that sized the
// buffer, thrown before the job starts.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "errors.h"

namespace sslmem {

constexpr uint64_t kMaxOutputElements = uint64_t{1} << 32;

namespace detail {

inline std::string factors_text(std::initializer_list<int64_t> factors) {
  std::string out;
  for (int64_t f : factors) out += (out.empty() ? "" : " x ") + to_text(f);
  return out;
}

}  // namespace detail

// The element count of an output that crosses to JS as one typed array: "Expected an output of at
// most 4294967296 elements (one typed array) for options.views but received 64 x 1000000 x 3 x 32 x 32 elements".
inline size_t output_elements(const std::string& arg, std::initializer_list<int64_t> factors) {
  for (int64_t f : factors) {
    if (f < 0) throw_range(arg, "non-negative sizes", detail::factors_text(factors));
  }
  uint64_t product = 1;
  for (int64_t f : factors) {
    const uint64_t u = static_cast<uint64_t>(f);
    if (u != 0 && product > kMaxOutputElements / u) {
      // A zero later in the list would make the whole product 0.
      bool zero = false;
      for (int64_t g : factors) zero = zero || g == 0;
      if (zero) return 0;
      throw_range(arg, "an output of at most " + to_text(kMaxOutputElements) + " elements (one typed array)",
                  detail::factors_text(factors) + " elements");
    }
    product *= u;
  }
  return static_cast<size_t>(product);
}

// Scratch memory a kernel keeps per thread (issue 16): its element count is bounded like an output
// (kMaxOutputElements), with the same checked product, and checked before the job starts, so that
// a request that grows faster than the caller's own buffers (an all-pairs count, an antialiased
// resize's intermediate plane) is a RangeError naming the argument that sized it rather than
// ERR_SSLMEM_OUT_OF_MEMORY from inside a worker thread. `what` says what the factors are.
inline size_t scratch_elements(const std::string& arg, const std::string& what, std::initializer_list<int64_t> factors) {
  uint64_t product = 1;
  for (int64_t f : factors) {
    const uint64_t u = f < 0 ? 0 : static_cast<uint64_t>(f);
    if (u != 0 && product > kMaxOutputElements / u) {
      throw_range(arg, "scratch of at most " + to_text(kMaxOutputElements) + " elements per thread (" + what + ")",
                  detail::factors_text(factors) + " elements");
    }
    product *= u;
  }
  return static_cast<size_t>(product);
}

// Resizes `v` to `n` elements; a failed allocation is a RangeError naming `arg` instead of a
// std::bad_alloc that reaches no one.
// `expected` says what kind of buffer it is (an output by default).
template <typename T>
void resize_or_throw(std::vector<T>& v, size_t n, const std::string& arg, const char* expected = "an output that fits in memory") {
  try {
    v.resize(n);
  } catch (const std::bad_alloc&) {
    throw_range(arg, expected, to_text(n) + " elements of " + to_text(sizeof(T)) + " bytes (allocation failed)");
  } catch (const std::length_error&) {
    throw_range(arg, expected, to_text(n) + " elements (larger than a vector holds)");
  }
}

// As resize_or_throw, for scratch memory: the message says scratch, not output.
template <typename T>
void resize_scratch_or_throw(std::vector<T>& v, size_t n, const std::string& arg) {
  resize_or_throw(v, n, arg, "scratch memory that fits in memory");
}

// Zeroed memory for `n` elements of T from calloc (large blocks come as untouched zero pages);
// RangeError naming `arg` when it cannot be had. Free with std::free.
template <typename T>
T* calloc_or_throw(size_t n, const std::string& arg) {
  if (n == 0) n = 1;  // one element keeps the pointer distinct and non-null
  void* p = std::calloc(n, sizeof(T));
  if (p == nullptr) {
    throw_range(arg, "an output that fits in memory", to_text(n) + " elements of " + to_text(sizeof(T)) + " bytes (allocation failed)");
  }
  return static_cast<T*>(p);
}

}  // namespace sslmem
