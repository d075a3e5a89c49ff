// Implements zip_check.h. Field offsets are those of PKWARE's APPNOTE.TXT 6.3.10.
#include "zip_check.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "../kernels/errors.h"

namespace sslmem {

namespace {

using Tables = std::array<std::array<uint32_t, 256>, 8>;

Tables make_crc_tables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  // t[k][i]: the CRC of byte i followed by k zero bytes, so 8 bytes fold in one step.
  for (int k = 1; k < 8; ++k) {
    for (uint32_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  }
  return t;
}

const Tables& crc_tables() {
  static const Tables tables = make_crc_tables();
  return tables;
}

uint16_t u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t u32(const uint8_t* p) { return static_cast<uint32_t>(u16(p)) | (static_cast<uint32_t>(u16(p + 2)) << 16); }
uint64_t u64(const uint8_t* p) { return static_cast<uint64_t>(u32(p)) | (static_cast<uint64_t>(u32(p + 4)) << 32); }

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50;
constexpr size_t kEndSize = 22, kCentralSize = 46, kLocalSize = 30, kLocatorSize = 20, kZip64EndSize = 56;
constexpr uint32_t kSaturated = 0xFFFFFFFFu;

std::string hex32(uint32_t v) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08x", v);
  return text;
}

class Checker {
 public:
  Checker(const uint8_t* data, size_t size, const std::string& path, const std::string& what)
      : data_(data), size_(size), path_(path), what_(what) {}

  void run() {
    const size_t end = find_end_record();
    uint64_t entries = u16(data_ + end + 10);
    uint64_t cd_size = u32(data_ + end + 12);
    uint64_t cd_offset = u32(data_ + end + 16);
    size_t cd_end = end;  // where the central directory must stop
    // torch writes a zip64 end record (and its locator) even for small files; when there is one,
    // its 64-bit values hold and the central directory ends where it begins.
    const bool zip64 = end >= kLocatorSize && u32(data_ + end - kLocatorSize) == kZip64LocatorSig;
    if (zip64) read_zip64_end(end, entries, cd_size, cd_offset, cd_end);
    else if (entries == 0xFFFF || cd_size == kSaturated || cd_offset == kSaturated) fail("a zip64 end-record locator before the end record");
    if (cd_offset > cd_end || cd_end - cd_offset != cd_size) {
      fail("a central directory of " + to_text(cd_size) + " bytes at offset " + to_text(cd_offset) + " ending where the end record begins (" +
           to_text(cd_end) + ")");
    }
    size_t at = static_cast<size_t>(cd_offset);
    for (uint64_t i = 0; i < entries; ++i) at = check_entry(at, cd_end, i);
    if (at != cd_end) fail("no bytes between the last central directory entry and the end record");
  }

 private:
  [[noreturn]] void fail(const std::string& expected) const {
    throw_runtime("ERR_SSLMEM_CORRUPT_FILE", "Expected " + what_ + " for " + path_ + " but the zip container is damaged (expected " + expected +
                                                 "; the file is truncated, altered or not a torch archive)");
  }

  bool has(size_t offset, size_t length) const { return offset <= size_ && length <= size_ - offset; }

  // The end of central directory record: the last 22 + comment bytes. Trailing bytes are refused.
  size_t find_end_record() const {
    if (size_ < kEndSize) fail("at least " + to_text(kEndSize) + " bytes, found " + to_text(size_));
    const size_t lowest = size_ > kEndSize + 0xFFFF ? size_ - kEndSize - 0xFFFF : 0;
    for (size_t at = size_ - kEndSize;; --at) {
      if (u32(data_ + at) == kEndSig && at + kEndSize + u16(data_ + at + 20) == size_) return at;
      if (at == lowest) break;
    }
    fail("an end-of-central-directory record at the end of the file");
  }

  void read_zip64_end(size_t end, uint64_t& entries, uint64_t& cd_size, uint64_t& cd_offset, size_t& cd_end) const {
    const uint64_t at = u64(data_ + end - kLocatorSize + 8);
    if (!has(at, kZip64EndSize) || at + kZip64EndSize > end - kLocatorSize || u32(data_ + at) != kZip64EndSig) {
      fail("a zip64 end record at offset " + to_text(at));
    }
    entries = u64(data_ + at + 32);
    cd_size = u64(data_ + at + 40);
    cd_offset = u64(data_ + at + 48);
    cd_end = static_cast<size_t>(at);
  }

  // Zip64 extra field (id 1): the 64-bit values of the saturated 32-bit fields, in this order.
  void widen(const uint8_t* extra, size_t extra_len, uint64_t& usize, uint64_t& csize, uint64_t& offset, const std::string& name) const {
    if (usize != kSaturated && csize != kSaturated && offset != kSaturated) return;
    for (size_t p = 0; p + 4 <= extra_len;) {
      const uint16_t id = u16(extra + p), len = u16(extra + p + 2);
      if (p + 4 + len > extra_len) break;
      if (id == 1) {
        const uint8_t* v = extra + p + 4;
        size_t used = 0;
        for (uint64_t* field : {&usize, &csize, &offset}) {
          if (*field != kSaturated) continue;
          if (used + 8 > len) fail("a complete zip64 extra field for entry " + name);
          *field = u64(v + used);
          used += 8;
        }
        return;
      }
      p += 4 + len;
    }
    fail("a zip64 extra field for entry " + name);
  }

  size_t check_entry(size_t at, size_t cd_end, uint64_t index) const {
    if (at + kCentralSize > cd_end || u32(data_ + at) != kCentralSig) fail("central directory entry " + to_text(index) + " at offset " + to_text(at));
    const uint8_t* h = data_ + at;
    const uint16_t method = u16(h + 10), name_len = u16(h + 28), extra_len = u16(h + 30), comment_len = u16(h + 32);
    const uint32_t crc = u32(h + 16);
    uint64_t csize = u32(h + 20), usize = u32(h + 24), offset = u32(h + 42);
    const size_t next = at + kCentralSize + name_len + extra_len + comment_len;
    if (next > cd_end) fail("central directory entry " + to_text(index) + " within the directory");
    const std::string name(reinterpret_cast<const char*>(h + kCentralSize), name_len);
    widen(h + kCentralSize + name_len, extra_len, usize, csize, offset, name);

    if (!has(offset, kLocalSize) || u32(data_ + offset) != kLocalSig) fail("the local header of entry " + name + " at offset " + to_text(offset));
    const uint8_t* local = data_ + offset;
    const uint16_t local_name_len = u16(local + 26), local_extra_len = u16(local + 28);
    if (local_name_len != name_len || !has(offset + kLocalSize, name_len) ||
        std::memcmp(local + kLocalSize, h + kCentralSize, name_len) != 0) {
      fail("the local header of entry " + name + " to repeat its name");
    }
    const uint64_t start = offset + kLocalSize + local_name_len + local_extra_len;
    if (start > size_ || csize > size_ - start) fail(to_text(csize) + " bytes of entry " + name + " at offset " + to_text(start) + " within the file");
    if (method == 0) {
      if (csize != usize) fail("equal stored and original sizes for stored entry " + name);
      const uint32_t actual = crc32_zip(data_ + start, static_cast<size_t>(csize));
      if (actual != crc) fail("entry " + name + " to have CRC-32 " + hex32(crc) + " as recorded, found " + hex32(actual));
    }
    return next;
  }

  const uint8_t* data_;
  size_t size_;
  const std::string& path_;
  const std::string& what_;
};

}  // namespace

uint32_t crc32_zip(const uint8_t* data, size_t size, uint32_t crc) {
  const Tables& t = crc_tables();
  crc = ~crc;
  for (; size >= 8; data += 8, size -= 8) {
    const uint32_t lo = crc ^ (static_cast<uint32_t>(data[0]) | static_cast<uint32_t>(data[1]) << 8 |
                               static_cast<uint32_t>(data[2]) << 16 | static_cast<uint32_t>(data[3]) << 24);
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^ t[3][data[4]] ^ t[2][data[5]] ^
          t[1][data[6]] ^ t[0][data[7]];
  }
  for (; size > 0; ++data, --size) crc = t[0][(crc ^ *data) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void verify_zip_container(const uint8_t* data, size_t size, const std::string& path, const std::string& what) {
  Checker(data, size, path, what).run();
}

}  // namespace sslmem
