// Reads the JS `distributed` option ({rank, worldSize, masterAddr, masterPort, backend, timeoutMs})
// for any torch binding that can run data-parallel (training).
#pragma once

#include <napi.h>

#include <string>

#include "../../torch/distributed.h"

namespace sslmem {

DistributedConfig read_distributed_config(const Napi::Value& value, const std::string& arg);

// Whether this torch tier was built with c10d (Gloo headers found at build time).
bool distributed_supported();

}  // namespace sslmem
