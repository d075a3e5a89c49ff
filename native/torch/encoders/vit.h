// The Vision Transformer's modules (vit.cc registers vit-tiny and vit-small): declared here so that
// methods that look inside the encoder (MAE masks its patch tokens and decodes them) can use them.
#pragma once

#include <torch/torch.h>

#include <string>

#include "encoder.h"

namespace sslmem {

struct AttentionImpl : torch::nn::Module {
  AttentionImpl(int64_t dim, int64_t heads);
  // x: [B, N, D] -> [B, N, D]; softmax(q k^T / sqrt(d_head)) v per head.
  torch::Tensor forward(const torch::Tensor& x);
  int64_t heads;
  double scale;
  torch::nn::Linear qkv{nullptr}, proj{nullptr};
};
TORCH_MODULE(Attention);

// Pre-norm block: x + attn(norm1(x)), then x + fc2(gelu(fc1(norm2(x)))); LayerNorm eps 1e-6.
struct BlockImpl : torch::nn::Module {
  BlockImpl(int64_t dim, int64_t heads);
  torch::Tensor forward(torch::Tensor x);
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  Attention attn{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Block);

// MAE's 2-D sine-cosine table [1, 1 + rows * cols, dim] (a zero row for the class token).
torch::Tensor sincos_table(int64_t rows, int64_t cols, int64_t dim);

// Xavier-uniform weights and zero biases for every Linear in `module` (MAE's initialisation).
void init_linear_layers(torch::nn::Module& module);

struct VisionTransformerImpl : BackboneImpl {
  VisionTransformerImpl(const BackboneSpec& spec, int64_t heads);
  torch::Tensor forward_layers(torch::Tensor x, LayerTap& tap) override;
  int64_t repr_dim() const override;
  bool takes_input_size(int64_t h, int64_t w) const override;

  // Patch tokens with their positions, [B, N, D] (patches in row-major order), before any block.
  torch::Tensor embed_patches(const torch::Tensor& x);
  // The patch rows of the position table for a grid of the given size: [1, rows * cols, D].
  torch::Tensor patch_positions(int64_t grid_rows, int64_t grid_cols) const;
  // The class token (with its position) prepended to `tokens`, through the blocks and the norm.
  torch::Tensor encode(const torch::Tensor& tokens);
  // The same, offering block i's output to `tap` as layer i (1-based); sets `stop` and returns
  // that output once the tap has every layer it wants.
  torch::Tensor encode(const torch::Tensor& tokens, LayerTap& tap, bool& stop);

  int64_t dim = 0, heads = 0, patch = 0, channels = 0, rows = 0, cols = 0;
  std::string representation;
  torch::nn::Conv2d patch_embed{nullptr};
  torch::Tensor cls_token, pos_embed;
  torch::nn::Sequential blocks;
  torch::nn::LayerNorm norm{nullptr};
};

}  // namespace sslmem
