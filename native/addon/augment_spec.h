// Reads the JS PipelineSpec object (lib/augment/spec.ts, already validated and defaulted by the
// TS façade) into the C++ PipelineSpec. Field names equal the JS ones; every type error names the
// field path ("pipeline.views[1].colorJitter.hue"). Value ranges are checked by the kernel
// (validate_pipeline_spec), the native side's own line of defence.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "../kernels/augment.h"

namespace sslmem {

PipelineSpec read_pipeline_spec(const Napi::Value& spec, const std::string& arg);

// A multi-crop layout: an array of {pipeline, count} ("options.groups[1].count" in errors).
std::vector<CropGroup> read_crop_groups(const Napi::Value& groups, const std::string& arg);

// ViewParams <-> the plain JS objects of sampleParams/applyParams (lib/augment/spec.ts ViewParams).
Napi::Object view_params_to_js(Napi::Env env, const ViewParams& params, int channels);
ViewParams view_params_from_js(const Napi::Value& value, const std::string& arg);

}  // namespace sslmem
