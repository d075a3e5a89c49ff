// The batched CPU augmentation driver: uint8 NHWC images in, float32 [N, V, C, H', W'] views out.
//
// Work is split over (image, view) units with parallel_for; each unit draws its parameters from
// its own Philox stream keyed by (seed, epoch, item id, view), so the output is bit-identical for
// any thread count or batch split. Per unit, one fused pass crops, resizes and flips, reading the
// uint8 pixels directly (v / 255 through a table); the colour operations then run in place on the
// small output, then normalize. Scratch memory is allocated once per thread chunk, never per image.
//
// Semantics: torchvision 0.14's tensor transforms on float images in [0, 1]
// (see augment_params.h for sampling and augment_pixel.h for the per-pixel math).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "augment_params.h"
#include "cancel.h"

namespace sslmem {

// A declarative pipeline: view v uses views[min(v, views.size() - 1)].
struct PipelineSpec {
  std::string name;
  std::vector<ViewSpec> views;
};

// A batch of n uint8 images, NHWC, contiguous.
struct ImageBatch {
  const uint8_t* pixels;
  int64_t n;
  int h, w, c;
};

// The spec every view of `spec` uses for view index v.
inline const ViewSpec& view_spec_for(const PipelineSpec& spec, int64_t v) {
  size_t last = spec.views.size() - 1;
  return spec.views[static_cast<size_t>(v) < last ? static_cast<size_t>(v) : last];
}

// Checks a spec against an input image size (throws sslmem::Error naming `arg` and the field):
// channels 1 or 3, at least one view, every view with the same output size, probabilities in
// [0, 1], finite non-negative factors, hue <= 0.5, scale in (0, 1], positive ratios, odd blur
// kernel smaller than twice the output side (reflect padding), normalize with one value per channel
// (c = 0: channels not known yet, that count is not checked).
void validate_pipeline_spec(const PipelineSpec& spec, int h, int w, int c, const std::string& arg);

// The SIMD variant the driver dispatches to, chosen once at load: "avx2" or "serial".
const char* augment_backend();

// The output size (H', W') of every view for h x w input; validates the spec first.
void augment_output_size(const PipelineSpec& spec, int h, int w, int* out_h, int* out_w);

// Samples and applies every view: out is [n, views, c, out_h, out_w] float32. item_ids (n values)
// key the random streams; nullptr means item i = i. threads <= 0: all hardware threads.
void augment_batch(const PipelineSpec& spec, const ImageBatch& batch, const int64_t* item_ids, uint64_t seed,
                   uint64_t epoch, int views, float* out /*[n, views, c, oh, ow]*/, int threads);

// The same, polling `cancel` between groups of views: a requested cancel throws the ABORT_ERR
// error (the views written so far stay in `out`, the rest are not computed).
void augment_batch(const PipelineSpec& spec, const ImageBatch& batch, const int64_t* item_ids, uint64_t seed,
                   uint64_t epoch, int views, float* out, int threads, const CancelFlag& cancel);

// One group of a multi-crop layout (DINO's 2 global + 8 local crops): `count` views per image of
// one output size, view j of the group using view_spec_for(pipeline, j).
struct CropGroup {
  PipelineSpec pipeline;
  int count = 1;
};

// Multi-crop: the views of every group in one job, group g into outs[g] ([n, count_g, c, oh_g,
// ow_g]). Views are numbered across the layout: group g's view j has the global index
// first_g + j (first_g = the counts of the groups before it), and its random streams are keyed by
// (seed, epoch, item, first_g + j) exactly as augment_batch keys view first_g + j. So a group
// equals views first_g.. of augment_batch with a pipeline listing its specs from index first_g,
// and the layout is as deterministic as augment_batch (any threads, batch split or backend).
// Checks: each group's spec (named "options.groups[g].pipeline"), counts >= 1, at most 1000000
// views in all; polls `cancel` as augment_batch.
void augment_multicrop(const std::vector<CropGroup>& groups, const ImageBatch& batch, const int64_t* item_ids,
                       uint64_t seed, uint64_t epoch, float* const* outs, int threads,
                       const CancelFlag& cancel = CancelFlag());

// The checks augment_multicrop makes before it starts (for the binding, to fail before a job).
void validate_crop_groups(const std::vector<CropGroup>& groups, const ImageBatch& batch);

// The parameters augment_multicrop would draw, flat in (group, image, view) order.
std::vector<ViewParams> sample_multicrop_params(const std::vector<CropGroup>& groups, const ImageBatch& batch,
                                                const int64_t* item_ids, uint64_t seed, uint64_t epoch, int threads);

// The parameters augment_batch would draw, [n * views] in (image, view) order.
std::vector<ViewParams> sample_batch_params(const PipelineSpec& spec, const ImageBatch& batch,
                                            const int64_t* item_ids, uint64_t seed, uint64_t epoch, int views,
                                            int threads);

// Checks explicit parameters against an h x w x c input (crop box inside the image, one output
// size for all, factor ranges, jitter order a permutation, blur kernel, normalize std != 0).
void validate_view_params(const ViewParams* params, int64_t count, int h, int w, int c, const std::string& arg);

// Applies explicit parameters (one per (image, view), [n * views]); out as in augment_batch.
void apply_batch_params(const ViewParams* params, const ImageBatch& batch, int views, float* out, int threads,
                        const CancelFlag& cancel = CancelFlag());

// Applies one view's parameters to one HWC uint8 image, writing [c, out_h, out_w] float32.
// Allocates its own scratch: for tests and one-off use; the batch functions reuse scratch.
void apply_view_params(const ViewParams& params, const uint8_t* image, int h, int w, int c, float* out);

}  // namespace sslmem
