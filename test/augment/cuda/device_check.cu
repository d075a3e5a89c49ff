// Compiled (not run) by cuda_headers.test.ts when nvcc is installed: the sampling and per-pixel
// headers must build as device code, so the later GPU port draws and computes the same views.
#include "augment_params.h"
#include "augment_pixel.h"

__global__ void sample_and_shade(const sslmem::ViewSpec* spec, float* out) {
  sslmem::ViewParams p = sslmem::sample_view_params(*spec, 32, 32, 1, 0, threadIdx.x, 0);
  float r = 0.3f, g = 0.5f, b = 0.1f;
  sslmem::hue_shift_pixel_f32(&r, &g, &b, static_cast<float>(p.hue));
  sslmem::LinearTap t = sslmem::linear_tap(threadIdx.x, p.crop_w, p.out_w, p.crop_left);
  float kernel[5];
  sslmem::gaussian_kernel1d_f32(5, 1.0, kernel);
  out[threadIdx.x] = r + g + b + t.w0 + sslmem::luma_f32(r, g, b) + kernel[2];
}
