// Float operations here never read or raise FP exception flags, so the compiler may evaluate both
// sides of a select: that is what lets the branch-free colour code (hue) vectorize. Results are
// unchanged (rounding is not affected); it applies to this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

#include "augment.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "augment_pixel.h"
#include "cpu_features.h"
#include "errors.h"
#include "parallel.h"
#include "sizes.h"

namespace sslmem {

namespace {

// Largest output side accepted: far beyond any SSL input, small enough that sizes never overflow.
constexpr int kMaxSide = 16384;

// ToTensor's v / 255 in float32, looked up instead of divided.
const float* unit_scale_table() {
  static const float* table = [] {
    static float values[256];
    for (int v = 0; v < 256; ++v) values[v] = static_cast<float>(v) / 255.0f;
    return values;
  }();
  return table;
}

std::string field(const std::string& base, const char* name) { return base + "." + name; }

std::string number_text(double v) {
  if (std::isnan(v)) return "NaN";
  return "the number " + to_text(v);
}

void check_probability(double p, const std::string& arg) {
  if (!(p >= 0.0 && p <= 1.0)) throw_range(arg, "a probability in [0, 1]", number_text(p));
}

void check_finite_min(double v, double min, const std::string& arg, const char* expected) {
  if (!std::isfinite(v) || v < min) throw_range(arg, expected, number_text(v));
}

void check_pair(double lo, double hi, const std::string& arg, double min_exclusive, double max_inclusive,
                const char* expected) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo > min_exclusive) || !(hi <= max_inclusive) || lo > hi) {
    throw_range(arg, expected, "[" + to_text(lo) + ", " + to_text(hi) + "]");
  }
}

void check_blur_kernel(int k, int oh, int ow, const std::string& arg) {
  if (k < 1 || k % 2 == 0) throw_range(arg, "an odd positive integer", number_text(k));
  if (k / 2 >= std::min(oh, ow)) {
    throw_range(arg, "an odd size whose half is smaller than the output side " + to_text(std::min(oh, ow)) +
                         " (reflect padding)", number_text(k));
  }
}

// c = 0: channels unknown yet (augment_output_size), the per-channel count is not checked.
void check_normalize(bool enabled, int count, const double* mean, const double* std, int c, const std::string& arg) {
  if (!enabled) return;
  if (c == 0) c = std::min(count, kMaxChannels);
  if (count != c) {
    throw_range(arg + ".mean", to_text(c) + " values (one per channel)", to_text(count) + " values");
  }
  for (int k = 0; k < c; ++k) {
    if (!std::isfinite(mean[k])) throw_range(arg + ".mean[" + to_text(k) + "]", "a finite number", number_text(mean[k]));
    if (!std::isfinite(std[k]) || std[k] == 0.0 || static_cast<float>(std[k]) == 0.0f) {
      throw_range(arg + ".std[" + to_text(k) + "]", "a finite non-zero number", number_text(std[k]));
    }
  }
}

void check_image(int h, int w, int c, const std::string& arg) {
  if (h < 1 || w < 1) throw_range(arg + ".shape", "images of at least 1 x 1 pixels", to_text(h) + " x " + to_text(w));
  if (c != 0 && c != 1 && c != 3) throw_range(arg + ".shape[3]", "1 or 3 channels", to_text(c) + " channels");
}

// Reusable per-thread buffers, sized once for the largest view a chunk can see.
struct ViewScratch {
  std::vector<int> x_offset0, x_offset1;
  std::vector<float> x_w0, x_w1;
  std::vector<int> aa_first_x, aa_count_x, aa_first_y, aa_count_y;
  std::vector<float> aa_weights_x, aa_weights_y;
  int aa_stride_x = 0, aa_stride_y = 0;
  std::vector<float> rows;  // two x-interpolated source rows, [2][c][ow]
  std::vector<float> tmp;
  std::vector<float> kernel;

  // Floats of `tmp`, the one buffer that can outgrow the caller's images and output: the output
  // plane, or with antialias the plane resized along x only (channels x image height x output
  // width: a tall image cropped to a wide output). Checked before the job starts (sizes.h).
  static size_t plane_elements(int h, int c, int oh, int ow, bool antialias, const std::string& arg) {
    const size_t plane = scratch_elements(arg, "output height x output width", {oh, ow});
    if (!antialias) return plane;
    return std::max(plane, scratch_elements(arg, "channels x image height x output width, for the antialiased resize", {c, h, ow}));
  }

  void reserve(int h, int w, int c, int oh, int ow, bool antialias, const std::string& arg) {
    x_offset0.resize(ow), x_offset1.resize(ow), x_w0.resize(ow), x_w1.resize(ow);
    rows.resize(2 * static_cast<size_t>(c) * ow);
    if (antialias) {
      aa_stride_x = aa_max_taps(w, ow), aa_stride_y = aa_max_taps(h, oh);
      aa_first_x.resize(ow), aa_count_x.resize(ow), aa_first_y.resize(oh), aa_count_y.resize(oh);
      aa_weights_x.resize(static_cast<size_t>(ow) * aa_stride_x);
      aa_weights_y.resize(static_cast<size_t>(oh) * aa_stride_y);
    }
    resize_scratch_or_throw(tmp, plane_elements(h, c, oh, ow, antialias, arg), arg);
    kernel.resize(2 * static_cast<size_t>(std::min(oh, ow)) + 1);
  }
};

// Crop + bilinear resize (align_corners = False) + horizontal flip, uint8 HWC -> float CHW.
// torch interpolates along x within a source row, then blends two such rows along y; each source
// row's x-interpolation is computed once and kept in a two-row cache (rows are visited in order),
// and the y blend is a vectorisable loop. Same float32 operations, in the same order, as torch.
SSLMEM_INLINE void resize_bilinear_u8(const ViewParams& p, const uint8_t* img, int w, int c, float* out, ViewScratch& s) {
  const float* lut = unit_scale_table();
  const int oh = p.out_h, ow = p.out_w;
  const int64_t plane = static_cast<int64_t>(oh) * ow;
  int* __restrict o0 = s.x_offset0.data();
  int* __restrict o1 = s.x_offset1.data();
  float* __restrict w0 = s.x_w0.data();
  float* __restrict w1 = s.x_w1.data();
  for (int x = 0; x < ow; ++x) {
    LinearTap t = linear_tap(p.flip ? ow - 1 - x : x, p.crop_w, ow, p.crop_left);
    o0[x] = t.index0 * c;
    o1[x] = (t.index0 + t.step) * c;
    w0[x] = t.w0, w1[x] = t.w1;
  }
  const int64_t row_stride = static_cast<int64_t>(w) * c;
  const int64_t row_floats = static_cast<int64_t>(c) * ow;
  int cached[2] = {-1, -1};
  float* slots[2] = {s.rows.data(), s.rows.data() + row_floats};
  // The x-interpolated source row `r` ([c][ow]), computed unless cached; `keep` stays cached.
  auto row = [&](int r, int keep) -> const float* {
    if (cached[0] == r) return slots[0];
    if (cached[1] == r) return slots[1];
    int slot = cached[0] == keep ? 1 : 0;
    const uint8_t* src = img + r * row_stride;
    for (int ch = 0; ch < c; ++ch) {
      float* __restrict dst = slots[slot] + ch * ow;
      const uint8_t* a = src + ch;
      for (int x = 0; x < ow; ++x) dst[x] = lut[a[o0[x]]] * w0[x] + lut[a[o1[x]]] * w1[x];
    }
    cached[slot] = r;
    return slots[slot];
  };
  for (int y = 0; y < oh; ++y) {
    LinearTap ty = linear_tap(y, p.crop_h, oh, p.crop_top);
    const float* top = row(ty.index0, -2);
    const float* bottom = row(ty.index0 + ty.step, ty.index0);
    const float wy0 = ty.w0, wy1 = ty.w1;
    for (int ch = 0; ch < c; ++ch) {
      const float* __restrict a = top + ch * ow;
      const float* __restrict b = bottom + ch * ow;
      float* __restrict dst = out + ch * plane + static_cast<int64_t>(y) * ow;
      for (int x = 0; x < ow; ++x) dst[x] = a[x] * wy0 + b[x] * wy1;
    }
  }
}

// Taps for one antialiased axis; an unchanged size is the identity (torch skips that pass).
SSLMEM_INLINE void aa_axis(int in_size, int out_size, int offset, int stride, int* first, int* count, float* weights) {
  for (int d = 0; d < out_size; ++d) {
    if (in_size == out_size) {
      first[d] = offset + d, count[d] = 1, weights[d * stride] = 1.0f;
    } else {
      count[d] = aa_taps(d, in_size, out_size, offset, first + d, weights + d * stride);
    }
  }
}

// Crop + antialiased bilinear resize + flip: horizontal pass into tmp [c][crop_h][ow], then vertical.
SSLMEM_INLINE void resize_antialias_u8(const ViewParams& p, const uint8_t* img, int w, int c, float* out, ViewScratch& s) {
  const float* lut = unit_scale_table();
  const int oh = p.out_h, ow = p.out_w, ch_rows = p.crop_h;
  const int64_t plane = static_cast<int64_t>(oh) * ow;
  aa_axis(p.crop_w, ow, p.crop_left, s.aa_stride_x, s.aa_first_x.data(), s.aa_count_x.data(), s.aa_weights_x.data());
  aa_axis(p.crop_h, oh, p.crop_top, s.aa_stride_y, s.aa_first_y.data(), s.aa_count_y.data(), s.aa_weights_y.data());
  float* tmp = s.tmp.data();
  for (int r = 0; r < ch_rows; ++r) {
    const uint8_t* row = img + static_cast<int64_t>(p.crop_top + r) * w * c;
    for (int ch = 0; ch < c; ++ch) {
      float* dst = tmp + (static_cast<int64_t>(ch) * ch_rows + r) * ow;
      for (int x = 0; x < ow; ++x) {
        const float* wt = s.aa_weights_x.data() + x * s.aa_stride_x;
        const uint8_t* src = row + s.aa_first_x[x] * c + ch;
        float acc = 0.0f;
        for (int j = 0; j < s.aa_count_x[x]; ++j) acc += lut[src[j * c]] * wt[j];
        dst[x] = acc;
      }
    }
  }
  for (int ch = 0; ch < c; ++ch) {
    const float* src_plane = tmp + static_cast<int64_t>(ch) * ch_rows * ow;
    for (int y = 0; y < oh; ++y) {
      const float* wt = s.aa_weights_y.data() + y * s.aa_stride_y;
      const float* base = src_plane + static_cast<int64_t>(s.aa_first_y[y] - p.crop_top) * ow;
      float* dst = out + ch * plane + static_cast<int64_t>(y) * ow;
      for (int x = 0; x < ow; ++x) {
        int sx = p.flip ? ow - 1 - x : x;
        float acc = 0.0f;
        for (int j = 0; j < s.aa_count_y[y]; ++j) acc += base[static_cast<int64_t>(j) * ow + sx] * wt[j];
        dst[x] = acc;
      }
    }
  }
}

SSLMEM_INLINE void apply_view_impl(const ViewParams& p, const uint8_t* img, int w, int c, float* out, ViewScratch& s) {
  if (p.antialias) {
    resize_antialias_u8(p, img, w, c, out, s);
  } else {
    resize_bilinear_u8(p, img, w, c, out, s);
  }
  const int64_t plane = static_cast<int64_t>(p.out_h) * p.out_w;
  if (p.jitter) {
    for (int op : p.jitter_order) {
      if (op == kBrightness && p.has_brightness) adjust_brightness_f32(out, c, plane, p.brightness);
      if (op == kContrast && p.has_contrast) adjust_contrast_f32(out, c, plane, p.contrast);
      if (op == kSaturation && p.has_saturation) adjust_saturation_f32(out, c, plane, p.saturation);
      if (op == kHue && p.has_hue) adjust_hue_f32(out, c, plane, p.hue);
    }
  }
  if (p.grayscale) to_grayscale_f32(out, c, plane);
  if (p.blur) {
    gaussian_kernel1d_f32(p.blur_kernel, p.blur_sigma, s.kernel.data());
    for (int ch = 0; ch < c; ++ch) {
      gaussian_blur_plane_f32(out + ch * plane, p.out_h, p.out_w, s.kernel.data(), p.blur_kernel, s.tmp.data());
    }
  }
  if (p.solarize) solarize_f32(out, c * plane, p.solarize_threshold);
  if (p.normalize) normalize_f32(out, c, plane, p.mean, p.std);
}

// The same code compiled for two ISAs. No FMA is enabled, so no multiply-add is ever fused and
// both variants round every operation alike: their outputs are bit-identical (tested).
void apply_view_serial(const ViewParams& p, const uint8_t* img, int w, int c, float* out, ViewScratch& s) {
  apply_view_impl(p, img, w, c, out, s);
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2"))) void apply_view_avx2(const ViewParams& p, const uint8_t* img, int w, int c, float* out,
                                                     ViewScratch& s) {
  apply_view_impl(p, img, w, c, out, s);
}
#endif

using ApplyViewFn = void (*)(const ViewParams&, const uint8_t*, int, int, float*, ViewScratch&);

struct Backend {
  const char* name;
  ApplyViewFn apply;
};

// Chosen once at load: avx2 when the CPU has it, unless SSLMEM_AUGMENT_BACKEND=serial asks for
// the baseline (for the backend-agreement test).
const Backend& backend() {
  static const Backend chosen = [] {
    const char* forced = std::getenv("SSLMEM_AUGMENT_BACKEND");
    bool serial = forced != nullptr && std::string(forced) == "serial";
#if defined(__x86_64__) || defined(__i386__)
    if (!serial && cpu_features().avx2) return Backend{"avx2", apply_view_avx2};
#endif
    return Backend{"serial", apply_view_serial};
  }();
  return chosen;
}

void check_batch(const ImageBatch& batch, int views) {
  if (batch.n < 0) throw_range("images.shape[0]", "a non-negative count", to_text(batch.n));
  check_image(batch.h, batch.w, batch.c, "images");
  if (batch.c == 0) throw_range("images.shape[3]", "1 or 3 channels", "0 channels");
  if (views < 1) throw_range("options.views", "an integer >= 1", to_text(views));
}

// Views between two polls of the cancel flag (~1 ms of work at 32 x 32).
constexpr size_t kCancelPollUnits = 64;

// Most views one call computes per image (all groups together), as the binding's views limit.
constexpr int kMaxViews = 1000000;

// One output block of run_units: `views` views per image of c x oh x ow floats, written to out
// ([n, views, c, oh, ow]); antialias: whether any of its views resizes with antialias (scratch).
struct UnitBlock {
  int views;
  int oh, ow;
  bool antialias;
  float* out;
  // The argument that sized oh x ow, named by a scratch-size error.
  std::string size_arg;
};

// Runs every (block, image, view) unit; params_for(block, image, view) gives that unit's
// parameters. One parallel_for over all blocks, so small local crops and large global ones share
// the threads; each chunk sizes a block's scratch the first time it meets that block.
template <typename ParamsFor>
void run_units(const ImageBatch& b, const std::vector<UnitBlock>& blocks, int threads, const CancelFlag& cancel,
               ParamsFor params_for) {
  std::vector<size_t> start(blocks.size() + 1, 0);  // first unit of each block
  for (const UnitBlock& block : blocks) ViewScratch::plane_elements(b.h, b.c, block.oh, block.ow, block.antialias, block.size_arg);
  for (size_t g = 0; g < blocks.size(); ++g) start[g + 1] = start[g] + static_cast<size_t>(b.n) * blocks[g].views;
  const int64_t image_size = static_cast<int64_t>(b.h) * b.w * b.c;
  parallel_for(
      start.back(), threads,
      [&](size_t begin, size_t end) {
        std::vector<ViewScratch> scratch(blocks.size());
        std::vector<bool> sized(blocks.size(), false);
        const ApplyViewFn apply_view = backend().apply;
        size_t g = 0;
        for (size_t u = begin; u < end; ++u) {
          if ((u - begin) % kCancelPollUnits == 0) cancel.throw_if_requested();
          while (u >= start[g + 1]) ++g;
          const UnitBlock& block = blocks[g];
          if (!sized[g]) scratch[g].reserve(b.h, b.w, b.c, block.oh, block.ow, block.antialias, block.size_arg), sized[g] = true;
          const size_t r = u - start[g];
          const int64_t image = static_cast<int64_t>(r / block.views);
          const int view = static_cast<int>(r % block.views);
          ViewParams p = params_for(g, image, view);
          const int64_t view_size = static_cast<int64_t>(b.c) * block.oh * block.ow;
          apply_view(p, b.pixels + image * image_size, b.w, b.c, block.out + static_cast<int64_t>(r) * view_size, scratch[g]);
        }
      },
      16);
}

// A multi-crop layout checked against the batch: each group's output size and first global view.
struct Layout {
  std::vector<int> first_view, oh, ow;
  std::vector<bool> antialias;
  std::vector<std::string> size_arg;
};

// `single`: the layout of augment_batch (one group), whose errors name "pipeline" and
// "options.views" as they always have.
Layout check_layout(const std::vector<CropGroup>& groups, const ImageBatch& batch, bool single) {
  check_batch(batch, 1);
  if (groups.empty()) throw_range("options.groups", "at least one group", "an empty list");
  Layout layout;
  int64_t total = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    const CropGroup& group = groups[g];
    std::string at = "options.groups[" + to_text(g) + "]";
    if (group.count < 1) throw_range(single ? "options.views" : at + ".count", "an integer >= 1", to_text(group.count));
    validate_pipeline_spec(group.pipeline, batch.h, batch.w, batch.c, single ? "pipeline" : at + ".pipeline");
    const ViewSpec& v0 = group.pipeline.views[0];
    layout.first_view.push_back(static_cast<int>(total));
    layout.oh.push_back(v0.out_h > 0 ? v0.out_h : batch.h);
    layout.ow.push_back(v0.out_w > 0 ? v0.out_w : batch.w);
    bool antialias = false;
    for (const ViewSpec& v : group.pipeline.views) antialias = antialias || v.crop.antialias;
    layout.antialias.push_back(antialias);
    layout.size_arg.push_back((single ? std::string("pipeline") : at + ".pipeline") + ".views[0].size");
    total += group.count;
    if (total > kMaxViews) throw_range("options.groups", "at most " + to_text(kMaxViews) + " views per image in all", to_text(total) + " views");
  }
  return layout;
}

// The parameters of view j of group g of image i: group g's spec for j, keyed by the global view.
ViewParams sample_group_view(const std::vector<CropGroup>& groups, const Layout& layout, const ImageBatch& batch,
                             const int64_t* item_ids, uint64_t seed, uint64_t epoch, size_t g, int64_t i, int j) {
  uint64_t item = static_cast<uint64_t>(item_ids ? item_ids[i] : i);
  uint32_t view = static_cast<uint32_t>(layout.first_view[g] + j);
  return sample_view_params(view_spec_for(groups[g].pipeline, j), batch.h, batch.w, seed, epoch, item, view);
}

void run_layout(const std::vector<CropGroup>& groups, const Layout& layout, const ImageBatch& batch,
                const int64_t* item_ids, uint64_t seed, uint64_t epoch, float* const* outs, int threads,
                const CancelFlag& cancel) {
  std::vector<UnitBlock> blocks;
  for (size_t g = 0; g < groups.size(); ++g) {
    blocks.push_back(UnitBlock{groups[g].count, layout.oh[g], layout.ow[g], layout.antialias[g], outs[g], layout.size_arg[g]});
  }
  run_units(batch, blocks, threads, cancel, [&](size_t g, int64_t i, int j) {
    return sample_group_view(groups, layout, batch, item_ids, seed, epoch, g, i, j);
  });
}

std::vector<ViewParams> sample_layout(const std::vector<CropGroup>& groups, const Layout& layout,
                                      const ImageBatch& batch, const int64_t* item_ids, uint64_t seed,
                                      uint64_t epoch, int threads) {
  std::vector<size_t> start(groups.size() + 1, 0);
  for (size_t g = 0; g < groups.size(); ++g) start[g + 1] = start[g] + static_cast<size_t>(batch.n) * groups[g].count;
  std::vector<ViewParams> params(start.back());
  parallel_for(
      params.size(), threads,
      [&](size_t begin, size_t end) {
        size_t g = 0;
        for (size_t u = begin; u < end; ++u) {
          while (u >= start[g + 1]) ++g;
          const size_t r = u - start[g];
          const int count = groups[g].count;
          params[u] = sample_group_view(groups, layout, batch, item_ids, seed, epoch, g, static_cast<int64_t>(r / count),
                                        static_cast<int>(r % count));
        }
      },
      256);
  return params;
}

}  // namespace

const char* augment_backend() { return backend().name; }

void validate_pipeline_spec(const PipelineSpec& spec, int h, int w, int c, const std::string& arg) {
  check_image(h, w, c, "images");
  if (spec.views.empty()) throw_range(arg + ".views", "at least one view spec", "an empty list");
  int first_h = 0, first_w = 0;
  for (size_t i = 0; i < spec.views.size(); ++i) {
    const ViewSpec& v = spec.views[i];
    std::string at = arg + ".views[" + std::to_string(i) + "]";
    if (v.out_h < 0 || v.out_w < 0 || v.out_h > kMaxSide || v.out_w > kMaxSide) {
      throw_range(at + ".size", "sides in [1, " + to_text(kMaxSide) + "]", to_text(v.out_h) + " x " + to_text(v.out_w));
    }
    int oh = v.out_h > 0 ? v.out_h : h, ow = v.out_w > 0 ? v.out_w : w;
    if (i == 0) {
      first_h = oh, first_w = ow;
    } else if (oh != first_h || ow != first_w) {
      throw_range(at + ".size", "the same output size as views[0] (" + to_text(first_h) + " x " + to_text(first_w) + ")",
                  to_text(oh) + " x " + to_text(ow));
    }
    if (v.crop.enabled) {
      check_pair(v.crop.scale_min, v.crop.scale_max, field(at, "crop.scale"), 0.0, 1.0, "0 < low <= high <= 1");
      check_pair(v.crop.ratio_min, v.crop.ratio_max, field(at, "crop.ratio"), 0.0, 1e6, "0 < low <= high (finite)");
    }
    check_probability(v.flip, field(at, "flip"));
    check_probability(v.jitter.p, field(at, "colorJitter.p"));
    check_finite_min(v.jitter.brightness, 0.0, field(at, "colorJitter.brightness"), "a finite number >= 0");
    check_finite_min(v.jitter.contrast, 0.0, field(at, "colorJitter.contrast"), "a finite number >= 0");
    check_finite_min(v.jitter.saturation, 0.0, field(at, "colorJitter.saturation"), "a finite number >= 0");
    if (!(v.jitter.hue >= 0.0 && v.jitter.hue <= 0.5)) {
      throw_range(field(at, "colorJitter.hue"), "a number in [0, 0.5]", number_text(v.jitter.hue));
    }
    check_probability(v.grayscale, field(at, "grayscale"));
    check_probability(v.blur.p, field(at, "blur.p"));
    if (v.blur.p > 0) {
      check_blur_kernel(v.blur.kernel_size, oh, ow, field(at, "blur.kernelSize"));
      check_pair(v.blur.sigma_min, v.blur.sigma_max, field(at, "blur.sigma"), 0.0, 1e6, "0 < low <= high (finite)");
    }
    check_probability(v.solarize.p, field(at, "solarize.p"));
    if (!(v.solarize.threshold >= 0.0 && v.solarize.threshold <= 1.0)) {
      throw_range(field(at, "solarize.threshold"), "a number in [0, 1]", number_text(v.solarize.threshold));
    }
    check_normalize(v.normalize.enabled, v.normalize.count, v.normalize.mean, v.normalize.std, c, field(at, "normalize"));
  }
}

void augment_output_size(const PipelineSpec& spec, int h, int w, int* out_h, int* out_w) {
  validate_pipeline_spec(spec, h, w, 0, "pipeline");
  const ViewSpec& v = spec.views[0];
  *out_h = v.out_h > 0 ? v.out_h : h;
  *out_w = v.out_w > 0 ? v.out_w : w;
}

void augment_batch(const PipelineSpec& spec, const ImageBatch& batch, const int64_t* item_ids, uint64_t seed,
                   uint64_t epoch, int views, float* out, int threads) {
  augment_batch(spec, batch, item_ids, seed, epoch, views, out, threads, CancelFlag());
}

void augment_batch(const PipelineSpec& spec, const ImageBatch& batch, const int64_t* item_ids, uint64_t seed,
                   uint64_t epoch, int views, float* out, int threads, const CancelFlag& cancel) {
  check_batch(batch, views);
  const std::vector<CropGroup> groups{CropGroup{spec, views}};
  run_layout(groups, check_layout(groups, batch, true), batch, item_ids, seed, epoch, &out, threads, cancel);
}

void augment_multicrop(const std::vector<CropGroup>& groups, const ImageBatch& batch, const int64_t* item_ids,
                       uint64_t seed, uint64_t epoch, float* const* outs, int threads, const CancelFlag& cancel) {
  run_layout(groups, check_layout(groups, batch, false), batch, item_ids, seed, epoch, outs, threads, cancel);
}

void validate_crop_groups(const std::vector<CropGroup>& groups, const ImageBatch& batch) {
  check_layout(groups, batch, false);
}

std::vector<ViewParams> sample_batch_params(const PipelineSpec& spec, const ImageBatch& batch,
                                            const int64_t* item_ids, uint64_t seed, uint64_t epoch, int views,
                                            int threads) {
  check_batch(batch, views);
  const std::vector<CropGroup> groups{CropGroup{spec, views}};
  return sample_layout(groups, check_layout(groups, batch, true), batch, item_ids, seed, epoch, threads);
}

std::vector<ViewParams> sample_multicrop_params(const std::vector<CropGroup>& groups, const ImageBatch& batch,
                                                const int64_t* item_ids, uint64_t seed, uint64_t epoch, int threads) {
  return sample_layout(groups, check_layout(groups, batch, false), batch, item_ids, seed, epoch, threads);
}

void validate_view_params(const ViewParams* params, int64_t count, int h, int w, int c, const std::string& arg) {
  check_image(h, w, c, "images");
  for (int64_t u = 0; u < count; ++u) {
    const ViewParams& p = params[u];
    std::string at = arg + "[" + std::to_string(u) + "]";
    if (p.crop_h < 1 || p.crop_w < 1 || p.crop_top < 0 || p.crop_left < 0 || p.crop_top + p.crop_h > h ||
        p.crop_left + p.crop_w > w) {
      throw_range(at + ".crop", "a box of at least 1 x 1 inside the " + to_text(h) + " x " + to_text(w) + " image",
                  "top " + to_text(p.crop_top) + ", left " + to_text(p.crop_left) + ", height " + to_text(p.crop_h) +
                      ", width " + to_text(p.crop_w));
    }
    if (p.out_h < 1 || p.out_w < 1 || p.out_h > kMaxSide || p.out_w > kMaxSide) {
      throw_range(at + ".size", "sides in [1, " + to_text(kMaxSide) + "]", to_text(p.out_h) + " x " + to_text(p.out_w));
    }
    if (p.out_h != params[0].out_h || p.out_w != params[0].out_w) {
      throw_range(at + ".size", "the same output size as " + arg + "[0]", to_text(p.out_h) + " x " + to_text(p.out_w));
    }
    bool seen[4] = {false, false, false, false};
    for (int k = 0; k < 4; ++k) {
      int op = p.jitter_order[k];
      if (op < 0 || op > 3 || seen[op]) throw_range(at + ".jitterOrder", "a permutation of [0, 1, 2, 3]", "a repeat or an out-of-range id");
      seen[op] = true;
    }
    check_finite_min(p.brightness, 0.0, at + ".brightness", "a finite number >= 0");
    check_finite_min(p.contrast, 0.0, at + ".contrast", "a finite number >= 0");
    check_finite_min(p.saturation, 0.0, at + ".saturation", "a finite number >= 0");
    if (!(p.hue >= -0.5 && p.hue <= 0.5)) throw_range(at + ".hue", "a number in [-0.5, 0.5]", number_text(p.hue));
    if (p.blur) {
      check_blur_kernel(p.blur_kernel, p.out_h, p.out_w, at + ".blurKernel");
      check_finite_min(p.blur_sigma, 1e-30, at + ".blurSigma", "a finite number > 0");
    }
    if (!(p.solarize_threshold >= 0.0 && p.solarize_threshold <= 1.0)) {
      throw_range(at + ".solarizeThreshold", "a number in [0, 1]", number_text(p.solarize_threshold));
    }
    check_normalize(p.normalize, c, p.mean, p.std, c, at + ".normalize");
  }
}

void apply_batch_params(const ViewParams* params, const ImageBatch& batch, int views, float* out, int threads,
                        const CancelFlag& cancel) {
  check_batch(batch, views);
  const int64_t count = batch.n * views;
  validate_view_params(params, count, batch.h, batch.w, batch.c, "params");
  if (count == 0) return;
  bool antialias = false;
  for (int64_t u = 0; u < count; ++u) antialias = antialias || params[u].antialias;
  run_units(batch, {UnitBlock{views, params[0].out_h, params[0].out_w, antialias, out, "params[0].size"}}, threads, cancel,
            [&](size_t, int64_t i, int j) { return params[i * views + j]; });
}

void apply_view_params(const ViewParams& params, const uint8_t* image, int h, int w, int c, float* out) {
  validate_view_params(&params, 1, h, w, c, "params");
  ViewScratch scratch;
  scratch.reserve(h, w, c, params.out_h, params.out_w, params.antialias, "params.size");
  backend().apply(params, image, w, c, out, scratch);
}

}  // namespace sslmem
