// Per-view augmentation parameters: what a view spec asks for (ViewSpec), what one view drew
// (ViewParams), and the sampler that draws them from a Philox stream keyed by
// (seed, epoch, item, view). Header-only and SSLMEM_HD so a CUDA kernel samples the same views.
//
// Distributions follow torchvision 0.14's transforms (transforms.py), with our own generator in
// place of torch's global one:
// - RandomResizedCrop.get_params: up to 10 tries of target_area = area * U(scale),
//   aspect = exp(U(log ratio)), w = round(sqrt(target_area * aspect)), h = round(sqrt(target_area /
//   aspect)) (round half to even, as Python's round), accepted if 0 < w <= W and 0 < h <= H, then
//   top ~ randint(0, H - h + 1), left ~ randint(0, W - w + 1); otherwise the centre-crop fallback
//   (clamp the aspect ratio to the ratio range, centre with floor division).
// - RandomHorizontalFlip, RandomGrayscale, RandomSolarize, RandomApply(ColorJitter / GaussianBlur):
//   applied when u < p, u ~ U[0, 1) (so p = 0 never applies and p = 1 always does).
// - ColorJitter.get_params: a uniform random permutation of (brightness, contrast, saturation, hue),
//   brightness/contrast/saturation factors ~ U[max(0, 1 - x), 1 + x], hue factor ~ U[-x, x]; an
//   amount of 0 switches that adjustment off (torchvision's None).
// - GaussianBlur.get_params: sigma ~ U[sigma_min, sigma_max].
// Each operation draws from its own sub-stream (PhiloxStream's `purpose`), so changing one
// operation's settings never changes the others' draws.
#pragma once

#include <cmath>
#include <cstdint>

#include "philox.h"

namespace sslmem {

// Which sub-stream each operation draws from.
enum class AugmentPurpose : uint32_t { Crop = 1, Flip = 2, Jitter = 3, Grayscale = 4, Blur = 5, Solarize = 6 };

// Random resized crop settings (torchvision RandomResizedCrop). Off: the whole image is resized.
struct CropSpec {
  bool enabled = false;
  double scale_min = 0.08, scale_max = 1.0;
  double ratio_min = 3.0 / 4.0, ratio_max = 4.0 / 3.0;
  bool antialias = false;
};

// ColorJitter amounts (0 = off for that adjustment), applied with probability p.
struct JitterSpec {
  double p = 0.0;
  double brightness = 0.0, contrast = 0.0, saturation = 0.0, hue = 0.0;
};

struct BlurSpec {
  double p = 0.0;
  int kernel_size = 3;
  double sigma_min = 0.1, sigma_max = 2.0;
};

struct SolarizeSpec {
  double p = 0.0;
  double threshold = 0.5;
};

// Up to 3 channels: torchvision's colour operations accept 1- or 3-channel images only.
constexpr int kMaxChannels = 3;

struct NormalizeSpec {
  bool enabled = false;
  int count = 0;  // number of mean/std values given (must equal the image's channels)
  double mean[kMaxChannels] = {0, 0, 0};
  double std[kMaxChannels] = {1, 1, 1};
};

// One view's transform, applied in torchvision's SimCLR/BYOL order: crop+resize, flip, colour
// jitter, grayscale, blur, solarize, normalize. out_h/out_w = 0: the input's size.
struct ViewSpec {
  int out_h = 0, out_w = 0;
  CropSpec crop;
  double flip = 0.0;
  JitterSpec jitter;
  double grayscale = 0.0;
  BlurSpec blur;
  SolarizeSpec solarize;
  NormalizeSpec normalize;
};

// Jitter operation ids in ViewParams::jitter_order (torchvision's fn_idx values).
enum JitterOp : int { kBrightness = 0, kContrast = 1, kSaturation = 2, kHue = 3 };

// Everything one view drew: replaying these gives the same view bit for bit.
struct ViewParams {
  int crop_top = 0, crop_left = 0, crop_h = 0, crop_w = 0;  // the crop box inside the input
  int out_h = 0, out_w = 0;
  bool antialias = false;
  bool flip = false;
  bool jitter = false;              // whether ColorJitter ran at all (RandomApply's draw)
  int jitter_order[4] = {0, 1, 2, 3};
  bool has_brightness = false, has_contrast = false, has_saturation = false, has_hue = false;
  double brightness = 1.0, contrast = 1.0, saturation = 1.0, hue = 0.0;
  bool grayscale = false;
  bool blur = false;
  int blur_kernel = 0;
  double blur_sigma = 0.0;
  bool solarize = false;
  double solarize_threshold = 0.5;
  bool normalize = false;
  double mean[kMaxChannels] = {0, 0, 0};
  double std[kMaxChannels] = {1, 1, 1};
};

struct CropBox {
  int top, left, h, w;
};

// torchvision RandomResizedCrop.get_params on an in_h x in_w image.
SSLMEM_HD inline CropBox sample_resized_crop(const CropSpec& spec, int in_h, int in_w, PhiloxStream& rng) {
  double area = static_cast<double>(in_h) * static_cast<double>(in_w);
  double log_lo = std::log(spec.ratio_min), log_hi = std::log(spec.ratio_max);
  for (int attempt = 0; attempt < 10; ++attempt) {
    double target_area = area * rng.uniform(spec.scale_min, spec.scale_max);
    double aspect = std::exp(rng.uniform(log_lo, log_hi));
    // Python's round() rounds half to even, as rint does in the default rounding mode.
    double w = std::rint(std::sqrt(target_area * aspect));
    double h = std::rint(std::sqrt(target_area / aspect));
    if (w > 0 && w <= in_w && h > 0 && h <= in_h) {
      int hi = static_cast<int>(h), wi = static_cast<int>(w);
      int top = static_cast<int>(rng.below(static_cast<uint32_t>(in_h - hi + 1)));
      int left = static_cast<int>(rng.below(static_cast<uint32_t>(in_w - wi + 1)));
      return {top, left, hi, wi};
    }
  }
  double in_ratio = static_cast<double>(in_w) / static_cast<double>(in_h);
  int w = in_w, h = in_h;
  if (in_ratio < spec.ratio_min) {
    h = static_cast<int>(std::rint(w / spec.ratio_min));
  } else if (in_ratio > spec.ratio_max) {
    w = static_cast<int>(std::rint(h * spec.ratio_max));
  }
  return {(in_h - h) / 2, (in_w - w) / 2, h, w};
}

// Draws every parameter of one view. in_h/in_w: the input image size.
SSLMEM_HD inline ViewParams sample_view_params(const ViewSpec& spec, int in_h, int in_w, uint64_t seed,
                                               uint64_t epoch, uint64_t item, uint32_t view) {
  ViewParams p;
  p.out_h = spec.out_h > 0 ? spec.out_h : in_h;
  p.out_w = spec.out_w > 0 ? spec.out_w : in_w;
  p.antialias = spec.crop.antialias;
  if (spec.crop.enabled) {
    PhiloxStream rng(seed, epoch, item, view, static_cast<uint32_t>(AugmentPurpose::Crop));
    CropBox box = sample_resized_crop(spec.crop, in_h, in_w, rng);
    p.crop_top = box.top, p.crop_left = box.left, p.crop_h = box.h, p.crop_w = box.w;
  } else {
    p.crop_top = 0, p.crop_left = 0, p.crop_h = in_h, p.crop_w = in_w;
  }
  if (spec.flip > 0) {
    PhiloxStream rng(seed, epoch, item, view, static_cast<uint32_t>(AugmentPurpose::Flip));
    p.flip = rng.chance(spec.flip);
  }
  const JitterSpec& j = spec.jitter;
  if (j.p > 0 && (j.brightness > 0 || j.contrast > 0 || j.saturation > 0 || j.hue > 0)) {
    PhiloxStream rng(seed, epoch, item, view, static_cast<uint32_t>(AugmentPurpose::Jitter));
    p.jitter = rng.chance(j.p);
    if (p.jitter) {
      // torch.randperm(4) as a uniform Fisher-Yates shuffle.
      for (int k = 3; k > 0; --k) {
        int r = static_cast<int>(rng.below(static_cast<uint32_t>(k + 1)));
        int t = p.jitter_order[k];
        p.jitter_order[k] = p.jitter_order[r];
        p.jitter_order[r] = t;
      }
      auto factor_range = [](double amount, double* lo, double* hi) {
        *lo = 1.0 - amount > 0.0 ? 1.0 - amount : 0.0;
        *hi = 1.0 + amount;
      };
      double lo, hi;
      if (j.brightness > 0) {
        factor_range(j.brightness, &lo, &hi);
        p.has_brightness = true, p.brightness = rng.uniform(lo, hi);
      }
      if (j.contrast > 0) {
        factor_range(j.contrast, &lo, &hi);
        p.has_contrast = true, p.contrast = rng.uniform(lo, hi);
      }
      if (j.saturation > 0) {
        factor_range(j.saturation, &lo, &hi);
        p.has_saturation = true, p.saturation = rng.uniform(lo, hi);
      }
      if (j.hue > 0) p.has_hue = true, p.hue = rng.uniform(-j.hue, j.hue);
    }
  }
  if (spec.grayscale > 0) {
    PhiloxStream rng(seed, epoch, item, view, static_cast<uint32_t>(AugmentPurpose::Grayscale));
    p.grayscale = rng.chance(spec.grayscale);
  }
  if (spec.blur.p > 0) {
    PhiloxStream rng(seed, epoch, item, view, static_cast<uint32_t>(AugmentPurpose::Blur));
    p.blur = rng.chance(spec.blur.p);
    if (p.blur) {
      p.blur_kernel = spec.blur.kernel_size;
      p.blur_sigma = rng.uniform(spec.blur.sigma_min, spec.blur.sigma_max);
    }
  }
  if (spec.solarize.p > 0) {
    PhiloxStream rng(seed, epoch, item, view, static_cast<uint32_t>(AugmentPurpose::Solarize));
    p.solarize = rng.chance(spec.solarize.p);
  }
  p.solarize_threshold = spec.solarize.threshold;
  p.normalize = spec.normalize.enabled;
  for (int c = 0; c < kMaxChannels; ++c) p.mean[c] = spec.normalize.mean[c], p.std[c] = spec.normalize.std[c];
  return p;
}

}  // namespace sslmem
