// Per-pixel math of the augmentations, written to match torchvision 0.14's tensor functional
// (transforms/functional_tensor.py) on float32 images in [0, 1], operation by operation, in the
// same float32 arithmetic (scalars cast to float as torch casts Python numbers). Images are planar
// [C][H][W] float32 with C = 1 or 3. Header-only and SSLMEM_HD for a later CUDA port.
//
// 1-channel images (torchvision's behaviour on a [1, H, W] tensor, which we follow):
// - brightness: scales the channel; contrast: blends with the mean of the channel itself;
// - saturation and hue: no-ops ("Match PIL behaviour" in functional_tensor.py);
// - grayscale: a no-op (the output keeps 1 channel; 3-channel input keeps 3 equal channels).
//
// Resizing follows torch.nn.functional.interpolate(mode="bilinear", align_corners=False): source
// coordinate (dst + 0.5) * in / out - 0.5 (in double, as torch; see linear_tap), clamped at 0, the
// second tap clamped to the last pixel.
// With antialias=True it follows torch's separable antialiased kernel (PIL's triangle filter whose
// support widens by the downscale factor): horizontal pass first, then vertical, a pass skipped
// when that dimension keeps its size.
#pragma once

#include <cmath>
#include <cstdint>

#include "philox.h"

namespace sslmem {

// ITU-R 601-2 luma, as torchvision's rgb_to_grayscale: (0.2989 r + 0.587 g) + 0.114 b in float32.
SSLMEM_INLINE float luma_f32(float r, float g, float b) {
  return (0.2989f * r + 0.587f * g) + 0.114f * b;
}

SSLMEM_INLINE float clamp01_f32(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }

// torchvision _blend(img1, img2, ratio): ratio * img1 + (1 - ratio) * img2, clamped to [0, 1].
// (1 - ratio) is computed in double and cast, as Python computes it before torch casts it.
struct BlendWeights {
  float a, b;
};
SSLMEM_INLINE BlendWeights blend_weights(double ratio) {
  return {static_cast<float>(ratio), static_cast<float>(1.0 - ratio)};
}
SSLMEM_INLINE float blend_f32(float x, float y, BlendWeights w) { return clamp01_f32(w.a * x + w.b * y); }

// --- Bilinear resize (align_corners = False) ---------------------------------------------------

// For output index `dst`: first source tap (absolute, offset by the crop start), the step to the
// second tap (0 at the last pixel) and the two weights, exactly as torch 1.13's
// compute_source_index_and_lambda (aten/src/ATen/native/UpSample.h) on float input: the scale is a
// float32 quotient, but the source index is computed in acc_type<float> = double on the CPU and
// only the weight is rounded to float32. Computing the index in float32 rounds twice (product,
// then the -0.5) and drifted up to 1.7e-6 from torch on wide crops (identity when the size is
// unchanged, as torch).
struct LinearTap {
  int index0, step;
  float w0, w1;
};
SSLMEM_INLINE LinearTap linear_tap(int dst, int in_size, int out_size, int offset) {
  if (in_size == out_size) return {offset + dst, 0, 1.0f, 0.0f};
  const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  double src = static_cast<double>(scale) * (static_cast<double>(dst) + 0.5) - 0.5;
  if (src < 0.0) src = 0.0;
  const int i0 = static_cast<int>(src);
  const float l1 = static_cast<float>(src - static_cast<double>(i0));  // in [0, 1): no clamp needed
  return {offset + i0, i0 < in_size - 1 ? 1 : 0, 1.0f - l1, l1};
}

// --- Antialiased resize (torch _upsample_bilinear2d_aa) ---------------------------------------

// Taps of one output index: `count` consecutive source pixels from `first` (absolute), weights
// normalised to sum 1. Returns the count; `weights` must hold aa_max_taps(in, out) floats.
// Float32 values (scale, support, center, invscale, weights) as torch 1.13's _compute_weights_aa
// (UpSampleKernel.cpp) holds them, but every expression in which torch mixes them with a double
// literal (`i + 0.5`, `+ 0.5`, `1.0 / scale`) is evaluated in double and rounded once, as C++
// promotion does there; float32 arithmetic would round twice and move a weight or a tap bound.
SSLMEM_INLINE int aa_max_taps(int in_size, int out_size) {
  float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  float support = scale >= 1.0f ? scale : 1.0f;  // interp_size (2) * 0.5 * max(scale, 1)
  return static_cast<int>(std::ceil(support)) * 2 + 1;
}
SSLMEM_INLINE int aa_taps(int dst, int in_size, int out_size, int offset, int* first, float* weights) {
  const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  const float support = scale >= 1.0f ? scale : 1.0f;
  const float center = static_cast<float>(static_cast<double>(scale) * (static_cast<double>(dst) + 0.5));
  const float invscale = scale >= 1.0f ? static_cast<float>(1.0 / static_cast<double>(scale)) : 1.0f;
  int xmin = static_cast<int>(static_cast<double>(center - support) + 0.5);
  if (xmin < 0) xmin = 0;
  int xmax = static_cast<int>(static_cast<double>(center + support) + 0.5);
  if (xmax > in_size) xmax = in_size;
  const int count = xmax - xmin;
  float total = 0.0f;
  for (int j = 0; j < count; ++j) {
    float offset_from_center = static_cast<float>(j + xmin) - center;
    float x = static_cast<float>((static_cast<double>(offset_from_center) + 0.5) * static_cast<double>(invscale));
    float ax = x < 0.0f ? -x : x;
    float w = ax < 1.0f ? 1.0f - ax : 0.0f;
    weights[j] = w;
    total += w;
  }
  for (int j = 0; j < count; ++j) {
    if (total != 0.0f) weights[j] /= total;
  }
  *first = offset + xmin;
  return count;
}

// --- Colour jitter (applied on planar float images of `n` pixels per channel) ----------------

// adjust_brightness: _blend(img, 0, factor).
SSLMEM_INLINE void adjust_brightness_f32(float* img, int channels, int64_t n, double factor) {
  BlendWeights w = blend_weights(factor);
  int64_t total = channels * n;
  for (int64_t i = 0; i < total; ++i) img[i] = blend_f32(img[i], 0.0f, w);
}

// adjust_contrast: _blend(img, mean(grayscale(img)), factor); 1 channel: mean of the channel.
SSLMEM_INLINE void adjust_contrast_f32(float* img, int channels, int64_t n, double factor) {
  double sum = 0.0;
  if (channels == 3) {
    const float *r = img, *g = img + n, *b = img + 2 * n;
    for (int64_t i = 0; i < n; ++i) sum += luma_f32(r[i], g[i], b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) sum += img[i];
  }
  float mean = static_cast<float>(sum / static_cast<double>(n));
  BlendWeights w = blend_weights(factor);
  int64_t total = channels * n;
  for (int64_t i = 0; i < total; ++i) img[i] = blend_f32(img[i], mean, w);
}

// adjust_saturation: _blend(img, grayscale(img), factor); a no-op on 1 channel.
SSLMEM_INLINE void adjust_saturation_f32(float* img, int channels, int64_t n, double factor) {
  if (channels != 3) return;
  BlendWeights w = blend_weights(factor);
  float *r = img, *g = img + n, *b = img + 2 * n;
  for (int64_t i = 0; i < n; ++i) {
    float l = luma_f32(r[i], g[i], b[i]);
    r[i] = blend_f32(r[i], l, w);
    g[i] = blend_f32(g[i], l, w);
    b[i] = blend_f32(b[i], l, w);
  }
}

// One pixel of adjust_hue: torchvision's _rgb2hsv, h = (h + factor) mod 1 (torch.remainder),
// _hsv2rgb. Written branch-free (selects) so it vectorizes; each select picks the value
// torchvision's masked sums produce (one mask is 1, the rest add exact zeros).
SSLMEM_INLINE void hue_shift_pixel_f32(float* r, float* g, float* b, float factor) {
  float rr = *r, gg = *g, bb = *b;
  float maxc = rr > gg ? rr : gg;
  maxc = maxc > bb ? maxc : bb;
  float minc = rr < gg ? rr : gg;
  minc = minc < bb ? minc : bb;
  bool eqc = maxc == minc;
  float cr = maxc - minc;
  float s = cr / (eqc ? 1.0f : maxc);
  float div = eqc ? 1.0f : cr;
  float rc = (maxc - rr) / div, gc = (maxc - gg) / div, bc = (maxc - bb) / div;
  // Every alternative is computed before it is selected: selects of ready values vectorize, while
  // arithmetic inside a branch would not (the compiler may not speculate float operations).
  float h_r = bc - gc, h_g = 2.0f + rc - bc, h_b = 4.0f + gc - rc;
  float h = maxc == rr ? h_r : (maxc == gg ? h_g : h_b);
  // fmod(h / 6 + 1, 1): the argument lies in [5/6, 11/6], where fmod is an exact subtraction.
  float x = h / 6.0f + 1.0f;
  float x_minus_1 = x - 1.0f;
  h = x >= 1.0f ? x_minus_1 : x;
  // torch.remainder(h + factor, 1) for h + factor in [-0.5, 1.5): fmod, plus 1 when negative.
  float a = h + factor;
  float a_plus_1 = a + 1.0f, a_minus_1 = a - 1.0f;
  h = a < 0.0f ? a_plus_1 : (a >= 1.0f ? a_minus_1 : a);
  float v = maxc;
  float h6 = h * 6.0f;
  float fi = std::floor(h6);
  float f = h6 - fi;
  float fi_minus_6 = fi - 6.0f;
  float sector = fi >= 6.0f ? fi_minus_6 : fi;  // i % 6 (h * 6 may round up to 6)
  float p = clamp01_f32(v * (1.0f - s));
  float q = clamp01_f32(v * (1.0f - s * f));
  float t = clamp01_f32(v * (1.0f - s * (1.0f - f)));
  // Sector -> (r, g, b): 0 (v,t,p) 1 (q,v,p) 2 (p,v,t) 3 (p,q,v) 4 (t,p,v) 5 (v,p,q).
  *r = sector == 0.0f ? v : sector == 1.0f ? q : sector == 2.0f ? p : sector == 3.0f ? p : sector == 4.0f ? t : v;
  *g = sector == 0.0f ? t : sector == 1.0f ? v : sector == 2.0f ? v : sector == 3.0f ? q : p;
  *b = sector == 0.0f ? p : sector == 1.0f ? p : sector == 2.0f ? t : sector == 5.0f ? q : v;
}

// adjust_hue; a no-op on 1 channel. No clamp afterwards, as torchvision (hsv2rgb stays in [0, 1]).
SSLMEM_INLINE void adjust_hue_f32(float* img, int channels, int64_t n, double factor) {
  if (channels != 3) return;
  float f = static_cast<float>(factor);
  float* __restrict r = img;
  float* __restrict g = img + n;
  float* __restrict b = img + 2 * n;
  for (int64_t i = 0; i < n; ++i) hue_shift_pixel_f32(r + i, g + i, b + i, f);
}

// RandomGrayscale: rgb_to_grayscale(img, num_output_channels = C): every channel becomes the luma.
SSLMEM_INLINE void to_grayscale_f32(float* img, int channels, int64_t n) {
  if (channels != 3) return;
  float *r = img, *g = img + n, *b = img + 2 * n;
  for (int64_t i = 0; i < n; ++i) {
    float l = luma_f32(r[i], g[i], b[i]);
    r[i] = l, g[i] = l, b[i] = l;
  }
}

// --- Gaussian blur -------------------------------------------------------------------------

// torchvision _get_gaussian_kernel1d in float32: x = linspace(-(k-1)/2, (k-1)/2, k),
// pdf = exp(-0.5 * (x / sigma)^2), normalised by its sum. `kernel` holds k floats.
SSLMEM_INLINE void gaussian_kernel1d_f32(int k, double sigma, float* kernel) {
  float s = static_cast<float>(sigma);
  float half = static_cast<float>(k - 1) * 0.5f;
  float sum = 0.0f;
  for (int i = 0; i < k; ++i) {
    float x = -half + static_cast<float>(i);
    float z = x / s;
    float pdf = std::exp(-0.5f * (z * z));
    kernel[i] = pdf;
    sum += pdf;
  }
  for (int i = 0; i < k; ++i) kernel[i] /= sum;
}

// Reflect padding index ("reflect": the edge pixel is not repeated). Requires k / 2 < size.
SSLMEM_INLINE int reflect_index(int i, int size) {
  if (i < 0) return -i;
  if (i >= size) return 2 * (size - 1) - i;
  return i;
}

// Separable blur of one h x w plane through `tmp` (h * w floats): rows, then columns.
// torchvision convolves with the outer product of the same 1-D kernel; the separable sum differs
// only by float32 rounding order.
SSLMEM_INLINE void gaussian_blur_plane_f32(float* plane, int h, int w, const float* kernel, int k, float* tmp) {
  int half = k / 2;
  for (int y = 0; y < h; ++y) {
    const float* row = plane + static_cast<int64_t>(y) * w;
    float* out = tmp + static_cast<int64_t>(y) * w;
    for (int x = 0; x < w; ++x) {
      float acc = 0.0f;
      for (int t = 0; t < k; ++t) acc += kernel[t] * row[reflect_index(x + t - half, w)];
      out[x] = acc;
    }
  }
  for (int y = 0; y < h; ++y) {
    float* out = plane + static_cast<int64_t>(y) * w;
    for (int x = 0; x < w; ++x) out[x] = 0.0f;
    for (int t = 0; t < k; ++t) {
      const float* row = tmp + static_cast<int64_t>(reflect_index(y + t - half, h)) * w;
      float kt = kernel[t];
      for (int x = 0; x < w; ++x) out[x] += kt * row[x];
    }
  }
}

// --- Solarize and normalize -------------------------------------------------------------------

// solarize: x >= threshold ? 1 - x : x (threshold cast to float32 as torch compares).
SSLMEM_INLINE void solarize_f32(float* img, int64_t total, double threshold) {
  float t = static_cast<float>(threshold);
  for (int64_t i = 0; i < total; ++i) img[i] = img[i] >= t ? 1.0f - img[i] : img[i];
}

// normalize: (x - mean[c]) / std[c], a true division as torch's div_.
SSLMEM_INLINE void normalize_f32(float* img, int channels, int64_t n, const double* mean, const double* std) {
  for (int c = 0; c < channels; ++c) {
    float m = static_cast<float>(mean[c]), s = static_cast<float>(std[c]);
    float* plane = img + c * n;
    for (int64_t i = 0; i < n; ++i) plane[i] = (plane[i] - m) / s;
  }
}

}  // namespace sslmem
