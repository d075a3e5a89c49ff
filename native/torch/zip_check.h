// Integrity check of the zip containers libtorch reads and writes (torch.save archives, our
// encoder files and checkpoints, torch.jit.save TorchScript files), before they reach libtorch.
//
// libtorch's reader (PyTorchStreamReader over miniz) is built without CRC checks, so a flipped bit
// in a weight loads silently. The container already holds a CRC-32 per entry in its central
// directory (PKWARE APPNOTE 6.3.10, sections 4.3.7 - 4.3.16, 4.5.3 for zip64): this checks the
// container's structure (end record, central directory, local headers, entry bounds) and the CRC-32
// of every stored entry, which is every entry torch writes. What no checksum covers cannot be
// detected: the filler bytes torch puts in local headers to align data, and a deflated entry's CRC
// (torch never deflates; such an entry is bounds-checked only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sslmem {

// CRC-32 of zip, gzip and PNG (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF),
// continuing from `crc` (0 for a fresh start). Slice-by-8 tables: about 8 bytes per table step.
uint32_t crc32_zip(const uint8_t* data, size_t size, uint32_t crc = 0);

// Throws ERR_SSLMEM_CORRUPT_FILE "Expected <what> for <path> but ..." naming the first defect.
void verify_zip_container(const uint8_t* data, size_t size, const std::string& path, const std::string& what);

}  // namespace sslmem
