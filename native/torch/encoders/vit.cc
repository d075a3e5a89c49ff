// vit-tiny and vit-small: the Vision Transformer (Dosovitskiy et al. 2021) with pre-norm blocks,
// sized as DeiT's tiny (192-d, 3 heads) and small (384-d, 6 heads) models (Touvron et al. 2021),
// 12 blocks of multi-head self-attention and a 4x MLP with GELU. For small images the patch is
// small: the reference MAE of SSLMem takes 32 px inputs with patch 2; 28 px Fashion-MNIST with
// patch 4 gives 7x7 tokens. Settings:
//   patch           patch size (must divide H and W), default 4
//   depth           number of blocks, default 12
//   position        "learned" (trained, initialised N(0, 0.02)) or "sincos" (fixed 2-D sine-cosine,
//                   as MAE: the first half of each vector encodes the column, the second the row)
//   representation  what scoring aligns: "cls" (the class token after the final norm), "mean" (the
//                   mean of the patch tokens after it) or "tokens" (every token, flattened: the
//                   reference MAE scoring's (1 + N) x D vector)
// Initialisation follows MAE: xavier-uniform linear and patch weights, zero biases, class token
// N(0, 0.02). LayerNorm eps 1e-6. Width scales the per-head size (64 at width 1).
#include <cmath>

#include "../../kernels/errors.h"
#include "vit.h"

namespace sslmem {

namespace nn = torch::nn;

AttentionImpl::AttentionImpl(int64_t dim, int64_t heads) : heads(heads), scale(1.0 / std::sqrt(static_cast<double>(dim / heads))) {
  qkv = register_module("qkv", nn::Linear(dim, 3 * dim));
  proj = register_module("proj", nn::Linear(dim, dim));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x) {
  const int64_t b = x.size(0), n = x.size(1), d = x.size(2);
  auto qkv_heads = qkv->forward(x).reshape({b, n, 3, heads, d / heads}).permute({2, 0, 3, 1, 4});
  auto q = qkv_heads[0], k = qkv_heads[1], v = qkv_heads[2];
  auto attention = torch::softmax(torch::matmul(q, k.transpose(-2, -1)) * scale, -1);
  return proj->forward(torch::matmul(attention, v).transpose(1, 2).reshape({b, n, d}));
}

BlockImpl::BlockImpl(int64_t dim, int64_t heads) {
  norm1 = register_module("norm1", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6)));
  attn = register_module("attn", Attention(dim, heads));
  norm2 = register_module("norm2", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6)));
  fc1 = register_module("fc1", nn::Linear(dim, 4 * dim));
  fc2 = register_module("fc2", nn::Linear(4 * dim, dim));
}

torch::Tensor BlockImpl::forward(torch::Tensor x) {
  x = x + attn->forward(norm1->forward(x));
  return x + fc2->forward(torch::gelu(fc1->forward(norm2->forward(x))));
}

// For a position p and frequency index k < dim/4: sin(p w_k) then cos(p w_k), w_k =
// 10000^(-k / (dim/4)); the first dim/2 columns encode the column index, the last dim/2 the row.
torch::Tensor sincos_table(int64_t rows, int64_t cols, int64_t dim) {
  const int64_t quarter = dim / 4;
  auto omega = 1.0 / torch::pow(10000.0, torch::arange(quarter, torch::kFloat64) / static_cast<double>(quarter));
  auto encode = [&](const torch::Tensor& positions) {
    auto angles = torch::outer(positions, omega);
    return torch::cat({torch::sin(angles), torch::cos(angles)}, 1);
  };
  auto column = torch::arange(cols, torch::kFloat64).repeat({rows});
  auto row = torch::arange(rows, torch::kFloat64).repeat_interleave(cols);
  auto table = torch::cat({encode(column), encode(row)}, 1);
  return torch::cat({torch::zeros({1, dim}, torch::kFloat64), table}, 0).to(torch::kFloat32).unsqueeze(0);
}

void init_linear_layers(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& child : module.modules(false)) {
    if (auto* linear = child->as<nn::Linear>()) {
      nn::init::xavier_uniform_(linear->weight);
      nn::init::zeros_(linear->bias);
    }
  }
}

VisionTransformerImpl::VisionTransformerImpl(const BackboneSpec& spec, int64_t heads_in) : heads(heads_in) {
  patch = integer_setting(spec, "patch");
  const int64_t depth = integer_setting(spec, "depth");
  if (spec.height % patch != 0 || spec.width_px % patch != 0) {
    throw_range("settings.patch", "a patch size dividing the input (" + to_text(spec.height) + "x" + to_text(spec.width_px) + ")", to_text(patch));
  }
  dim = heads * scaled_channels(64, spec.width);
  if (dim % 4 != 0) throw_range("width", "a width giving a multiple of 4 channels per head", to_text(spec.width));
  channels = spec.channels;
  rows = spec.height / patch;
  cols = spec.width_px / patch;
  representation = spec.settings.at("representation");
  const bool learned_position = spec.settings.at("position") == "learned";
  patch_embed = register_module("patch_embed", nn::Conv2d(nn::Conv2dOptions(spec.channels, dim, patch).stride(patch)));
  cls_token = register_parameter("cls_token", torch::zeros({1, 1, dim}));
  if (learned_position) {
    pos_embed = register_parameter("pos_embed", torch::zeros({1, 1 + rows * cols, dim}));
  } else {
    pos_embed = register_buffer("pos_embed", sincos_table(rows, cols, dim));
  }
  for (int64_t i = 0; i < depth; ++i) blocks->push_back(Block(dim, heads));
  register_module("blocks", blocks);
  norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6)));
  init_linear_layers(*this);
  torch::NoGradGuard no_grad;
  // The patch projection is a linear map of each flattened patch (MAE initialises it so).
  auto w = patch_embed->weight;
  nn::init::xavier_uniform_(w.view({w.size(0), -1}));
  nn::init::zeros_(patch_embed->bias);
  nn::init::normal_(cls_token, 0, 0.02);
  if (learned_position) nn::init::normal_(pos_embed, 0, 0.02);
}

torch::Tensor VisionTransformerImpl::patch_positions(int64_t grid_rows, int64_t grid_cols) const {
  auto table = pos_embed.slice(1, 1);
  if (grid_rows == rows && grid_cols == cols) return table;
  // Another input size (multi-crop's local views): the table resampled bicubically to the new
  // grid, as DINO's interpolate_pos_encoding does (by output size rather than DINO's scale factor
  // with a 0.1 offset, so that the sampling positions are exactly those of the grid).
  namespace F = torch::nn::functional;
  auto grid = table.reshape({1, rows, cols, dim}).permute({0, 3, 1, 2});
  grid = F::interpolate(grid, F::InterpolateFuncOptions().size(std::vector<int64_t>{grid_rows, grid_cols}).mode(torch::kBicubic).align_corners(false));
  return grid.permute({0, 2, 3, 1}).reshape({1, grid_rows * grid_cols, dim});
}

torch::Tensor VisionTransformerImpl::embed_patches(const torch::Tensor& x) {
  auto grid = patch_embed->forward(x);
  return grid.flatten(2).transpose(1, 2) + patch_positions(grid.size(2), grid.size(3));
}

bool VisionTransformerImpl::takes_input_size(int64_t h, int64_t w) const {
  // Every patch whole; "tokens" flattens every token, so its size follows the input's.
  return h >= patch && w >= patch && h % patch == 0 && w % patch == 0 && representation != "tokens";
}

torch::Tensor VisionTransformerImpl::encode(const torch::Tensor& tokens) {
  LayerTap none;
  bool stop = false;
  return encode(tokens, none, stop);
}

torch::Tensor VisionTransformerImpl::encode(const torch::Tensor& tokens, LayerTap& tap, bool& stop) {
  auto cls = (cls_token + pos_embed.slice(1, 0, 1)).expand({tokens.size(0), 1, dim});
  auto x = torch::cat({cls, tokens}, 1);
  int64_t layer = 1;  // layer 0 is patch_embed
  for (auto& block : *blocks) {
    x = block.forward(x);
    if (tap.offer(layer++, x)) {
      stop = true;
      return x;
    }
  }
  return norm->forward(x);
}

torch::Tensor VisionTransformerImpl::forward_layers(torch::Tensor x, LayerTap& tap) {
  x = embed_patches(x);
  if (tap.offer(0, x)) return x;
  bool stop = false;
  x = encode(x, tap, stop);
  if (stop) return x;
  if (representation == "cls") x = x.select(1, 0);
  else if (representation == "mean") x = x.slice(1, 1).mean(1);
  else x = x.flatten(1);
  tap.offer(static_cast<int64_t>(blocks->size()) + 1, x);
  return x;
}

int64_t VisionTransformerImpl::repr_dim() const { return representation == "tokens" ? (1 + rows * cols) * dim : dim; }

namespace {

const std::vector<ArchitectureSetting> vit_settings{
    {"patch", "4", {}, "patch size; must divide the input's height and width"},
    {"depth", "12", {}, "number of transformer blocks"},
    {"position", "learned", {"learned", "sincos"}, "position embedding: trained, or MAE's fixed 2-D sine-cosine"},
    {"representation", "cls", {"cls", "mean", "tokens"}, "what scoring aligns: the class token, the mean patch token, or every token flattened"},
};

// patch_embed (patch tokens with positions), block1..block<depth> (every token), norm (the
// representation the `representation` setting reads after the final norm).
std::vector<std::string> vit_layers(const BackboneSpec& spec) {
  std::vector<std::string> out{"patch_embed"};
  const int64_t depth = integer_setting(spec, "depth");
  for (int64_t i = 1; i <= depth; ++i) out.push_back("block" + std::to_string(i));
  out.push_back("norm");
  return out;
}

ArchitectureSpec vit(const std::string& name, int64_t heads, const std::string& description) {
  return {name,
          description,
          4,  // one patch of the default size (smaller inputs are refused whatever the patch)
          [heads](double width) -> int64_t { return heads * scaled_channels(64, width); },
          vit_layers,
          [heads](const BackboneSpec& spec) -> std::shared_ptr<BackboneImpl> { return std::make_shared<VisionTransformerImpl>(spec, heads); },
          vit_settings};
}

const bool registered = register_architecture(vit("vit-tiny", 3, "ViT-Tiny (DeiT): 192-d, 3 heads, pre-norm blocks, patch and depth set by settings")) &&
                        register_architecture(vit("vit-small", 6, "ViT-Small (DeiT): 384-d, 6 heads, pre-norm blocks, patch and depth set by settings"));

}  // namespace

}  // namespace sslmem
