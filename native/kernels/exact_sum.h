// Exact sums of doubles (a Kulisch-style long accumulator), so that UnitMem's per-unit sums over
// points do not depend on the order in which points arrive: shards summed separately and merged
// give the same bits as one pass. A finite double is an integer mantissa (< 2^53) times 2^e with
// e >= -1074 (read from its IEEE-754 fields); every such value is a whole number of 2^-1074 units,
// held here in base-2^32 digits stored in int64 so that many additions can run before carries must
// be propagated. A normalized sum is canonical (digits 0..n-2 in [0, 2^32), the top digit signed),
// so equal sums have equal digits.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace sslmem {

namespace exact_sum {

constexpr int kDigits = 70;  // 70 x 32 bits covers 2^-1074 .. 2^1024 with headroom for 2^100 terms
constexpr int kLowestExponent = -1074;

// Adds a finite x into digits[0..kDigits). At most 2^30 additions between normalizations.
inline void add(int64_t* digits, double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int field = static_cast<int>((bits >> 52) & 0x7ff);
  uint64_t mantissa = bits & ((uint64_t{1} << 52) - 1);
  if (field != 0) mantissa |= uint64_t{1} << 52;            // normal: implicit leading 1
  if (mantissa == 0) return;                                 // +0 or -0
  const int offset = (field == 0 ? 1 : field) - 1075 - kLowestExponent;  // x = mantissa 2^(offset - 1074)
  const int digit = offset / 32, shift = offset % 32;
  const bool negative = (bits >> 63) != 0;
  unsigned __int128 wide = static_cast<unsigned __int128>(mantissa) << shift;
  for (int k = 0; k < 3 && wide != 0; ++k, wide >>= 32) {
    const int64_t piece = static_cast<int64_t>(static_cast<uint64_t>(wide) & 0xffffffffu);
    digits[digit + k] += negative ? -piece : piece;
  }
}

// Propagates carries so that digits 0..kDigits-2 lie in [0, 2^32): the canonical form.
inline void normalize(int64_t* digits) {
  for (int i = 0; i + 1 < kDigits; ++i) {
    const int64_t carry = digits[i] >> 32;  // arithmetic shift: floor division by 2^32
    digits[i] -= carry * (int64_t{1} << 32);
    digits[i + 1] += carry;
  }
}

// The sum as a double, from canonical digits (deterministic: equal digits give equal bits), by
// adding the digits' values from the most significant down in long double.
inline double to_double(const int64_t* digits) {
  long double value = 0;
  for (int i = kDigits - 1; i >= 0; --i) {
    if (digits[i] != 0) value += std::ldexp(static_cast<long double>(digits[i]), 32 * i + kLowestExponent);
  }
  return static_cast<double>(value);
}

}  // namespace exact_sum

}  // namespace sslmem
