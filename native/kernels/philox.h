// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel Random Numbers: As Easy as
// 1, 2, 3" (SC 2011), the same generator as cuRAND's and Random123's philox4x32_10.
//
// A counter-based generator has no state to share: the value at position `counter` under `key` is a
// pure function, so any thread (CPU or GPU) can draw the numbers of any (seed, epoch, item, view)
// without coordination, and the results do not depend on the thread count or the batch split.
// Header-only; every function is SSLMEM_HD so a CUDA kernel can include this file unchanged.
#pragma once

#include <cstdint>

#ifdef __CUDACC__
#define SSLMEM_HD __host__ __device__
#define SSLMEM_INLINE __host__ __device__ __forceinline__
#else
#define SSLMEM_HD
// Forced inlining lets the per-pixel helpers compile into each SIMD variant of their caller
// (augment.cc's avx2 and serial drivers) instead of being called at the baseline ISA.
#define SSLMEM_INLINE __attribute__((always_inline)) inline
#endif

namespace sslmem {

struct Philox4x32 {
  uint32_t v[4];
};

namespace philox_detail {

constexpr uint32_t kMul0 = 0xD2511F53u;
constexpr uint32_t kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
constexpr uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1

SSLMEM_HD inline void mulhilo(uint32_t a, uint32_t b, uint32_t* hi, uint32_t* lo) {
  uint64_t product = static_cast<uint64_t>(a) * static_cast<uint64_t>(b);
  *hi = static_cast<uint32_t>(product >> 32);
  *lo = static_cast<uint32_t>(product);
}

}  // namespace philox_detail

// One Philox4x32-10 block: 4 uniformly distributed 32-bit words for (counter, key).
SSLMEM_HD inline Philox4x32 philox4x32_10(Philox4x32 counter, uint32_t key0, uint32_t key1) {
  using namespace philox_detail;
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kMul0, counter.v[0], &hi0, &lo0);
    mulhilo(kMul1, counter.v[2], &hi1, &lo1);
    Philox4x32 next;
    next.v[0] = hi1 ^ counter.v[1] ^ key0;
    next.v[1] = lo1;
    next.v[2] = hi0 ^ counter.v[3] ^ key1;
    next.v[3] = lo0;
    counter = next;
    key0 += kWeyl0;
    key1 += kWeyl1;
  }
  return counter;
}

// A stream of random numbers for one (seed, epoch, item, view) and one "purpose" (an operation's
// own sub-stream, so that adding or removing one operation never shifts another's draws).
//
// Counter layout: v[0] = purpose << 24 | block index, v[1] = view, v[2] = item (low 32 bits),
// v[3] = epoch (low 32 bits). Key = seed, with the high 32 bits of item and epoch folded in by an
// odd-constant multiply (a no-op for item, epoch < 2^32). A purpose may draw up to 2^24 blocks.
class PhiloxStream {
 public:
  SSLMEM_HD PhiloxStream(uint64_t seed, uint64_t epoch, uint64_t item, uint32_t view, uint32_t purpose) {
    uint64_t key = seed ^ ((item >> 32) * 0x9E3779B97F4A7C15ull) ^ ((epoch >> 32) * 0xC2B2AE3D27D4EB4Full);
    key0_ = static_cast<uint32_t>(key);
    key1_ = static_cast<uint32_t>(key >> 32);
    counter_.v[0] = (purpose & 0xFFu) << 24;
    counter_.v[1] = view;
    counter_.v[2] = static_cast<uint32_t>(item);
    counter_.v[3] = static_cast<uint32_t>(epoch);
  }

  // Next uniformly distributed 32-bit word.
  SSLMEM_HD uint32_t next_u32() {
    if (used_ == 4) {
      block_ = philox4x32_10(counter_, key0_, key1_);
      counter_.v[0] = (counter_.v[0] & 0xFF000000u) | ((counter_.v[0] + 1) & 0x00FFFFFFu);
      used_ = 0;
    }
    return block_.v[used_++];
  }

  // Uniform double in [0, 1) with 53 random bits.
  SSLMEM_HD double next_double() {
    uint64_t hi = next_u32() >> 5;  // 27 bits
    uint64_t lo = next_u32() >> 6;  // 26 bits
    return static_cast<double>((hi << 26) | lo) * (1.0 / 9007199254740992.0);
  }

  // Uniform double in [low, high).
  SSLMEM_HD double uniform(double low, double high) { return low + (high - low) * next_double(); }

  // Uniform integer in [0, n), exactly (Lemire's multiply-and-reject). n must be >= 1.
  SSLMEM_HD uint32_t below(uint32_t n) {
    uint64_t m = static_cast<uint64_t>(next_u32()) * n;
    uint32_t low = static_cast<uint32_t>(m);
    if (low < n) {
      uint32_t threshold = static_cast<uint32_t>(-n) % n;
      while (low < threshold) {
        m = static_cast<uint64_t>(next_u32()) * n;
        low = static_cast<uint32_t>(m);
      }
    }
    return static_cast<uint32_t>(m >> 32);
  }

  // Bernoulli(p): true with probability p (u < p, so p = 0 never and p = 1 always).
  SSLMEM_HD bool chance(double p) { return next_double() < p; }

 private:
  uint32_t key0_ = 0, key1_ = 0;
  Philox4x32 counter_{};
  Philox4x32 block_{};
  int used_ = 4;
};

}  // namespace sslmem
