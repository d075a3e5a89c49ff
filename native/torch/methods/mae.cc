// MAE (He et al. 2022): a ViT encodes a random 25% of each image's patches; a small transformer
// decoder, given the encoded patches and a shared mask token at the other positions, predicts the
// masked patches' pixels. One view per image (a crop); at scoring the encoder sees every patch.
#include "../../kernels/errors.h"
#include "../encoders/vit.h"
#include "method.h"

namespace sslmem {

namespace {

namespace nn = torch::nn;

// Patches in the order MAE's patchify takes them: [B, C, H, W] -> [B, N, p*p*C], patches in
// row-major order, each patch's pixels (row, column, channel).
torch::Tensor patchify(const torch::Tensor& images, int64_t patch) {
  const int64_t b = images.size(0), c = images.size(1), rows = images.size(2) / patch, cols = images.size(3) / patch;
  return images.reshape({b, c, rows, patch, cols, patch}).permute({0, 2, 4, 3, 5, 1}).reshape({b, rows * cols, patch * patch * c});
}

// MAE's random_masking: keep the floor(N (1 - ratio)) tokens of lowest noise. Returns the kept
// tokens [B, keep, D], the order that restores the shuffled sequence [B, N] and the mask [B, N]
// (1 = masked) in the original order.
struct Masked {
  torch::Tensor kept, restore, mask;
};
Masked random_masking(const torch::Tensor& tokens, const torch::Tensor& noise, double ratio) {
  const int64_t b = tokens.size(0), n = tokens.size(1), d = tokens.size(2);
  const auto keep = static_cast<int64_t>(static_cast<double>(n) * (1 - ratio));
  auto shuffle = noise.argsort(/*dim=*/1, /*descending=*/false);
  auto restore = shuffle.argsort(/*dim=*/1, /*descending=*/false);
  auto kept_ids = shuffle.slice(1, 0, keep);
  auto kept = torch::gather(tokens, 1, kept_ids.unsqueeze(-1).expand({b, keep, d}));
  auto mask = torch::ones({b, n}, tokens.options());
  mask.slice(1, 0, keep).zero_();
  return {kept, restore, torch::gather(mask, 1, restore)};
}

// MAE's forward_loss: mean squared error per patch, averaged over the masked patches; with
// `normalize`, each target patch is standardized first (mean, unbiased variance + 1e-6).
torch::Tensor masked_patch_loss(const torch::Tensor& images, const torch::Tensor& prediction, const torch::Tensor& mask, int64_t patch,
                                bool normalize) {
  auto target = patchify(images, patch);
  if (normalize) target = (target - target.mean(-1, true)) / torch::sqrt(target.var(-1, true, true) + 1e-6);
  auto per_patch = (prediction - target).pow(2).mean(-1);
  return (per_patch * mask).sum() / mask.sum();
}

// The decoder: embed to its width, mask tokens at the masked positions, fixed sin-cos positions,
// `depth` pre-norm blocks, norm, a linear map to each patch's pixels.
struct DecoderImpl : nn::Module {
  DecoderImpl(const VisionTransformerImpl& encoder, int64_t width, int64_t depth, int64_t heads)
      : patch(encoder.patch), channels(encoder.channels) {
    embed = register_module("embed", nn::Linear(encoder.dim, width));
    mask_token = register_parameter("mask_token", torch::zeros({1, 1, width}));
    pos_embed = register_buffer("pos_embed", sincos_table(encoder.rows, encoder.cols, width));
    for (int64_t i = 0; i < depth; ++i) blocks->push_back(Block(width, heads));
    register_module("blocks", blocks);
    norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({width}).eps(1e-6)));
    pred = register_module("pred", nn::Linear(width, patch * patch * channels));
    init_linear_layers(*this);
    torch::NoGradGuard no_grad;
    nn::init::normal_(mask_token, 0, 0.02);
  }
  // latent [B, 1 + keep, D] (class token first) -> predicted patches [B, N, p*p*C].
  torch::Tensor forward(const torch::Tensor& latent, const torch::Tensor& restore) {
    auto x = embed->forward(latent);
    const int64_t b = x.size(0), n = restore.size(1), w = x.size(2);
    auto tokens = torch::cat({x.slice(1, 1), mask_token.expand({b, n + 1 - x.size(1), w})}, 1);
    tokens = torch::gather(tokens, 1, restore.unsqueeze(-1).expand({b, n, w}));
    x = torch::cat({x.slice(1, 0, 1), tokens}, 1) + pos_embed;
    return pred->forward(norm->forward(blocks->forward(x))).slice(1, 1);
  }
  int64_t patch, channels;
  nn::Linear embed{nullptr}, pred{nullptr};
  torch::Tensor mask_token, pos_embed;
  nn::Sequential blocks;
  nn::LayerNorm norm{nullptr};
};

VisionTransformerImpl& vit_of(BackboneImpl& backbone) {
  auto* vit = dynamic_cast<VisionTransformerImpl*>(&backbone);
  if (!vit) throw_range("options.encoder", "a ViT (vit-tiny, vit-small) for mae", "another architecture");
  return *vit;
}

const MethodOption mask_ratio{"maskRatio", 0.75, 0, 1, true, "fraction of each image's patches hidden from the encoder"};
const MethodOption normalize_pixels{"normPixLoss", 0, 0, 1, false, "1: standardize each target patch (the paper's better setting), 0: raw pixels"};

// The pieces MAE's tests compare with its reference code: patchify, masking and the loss.
const bool registered_losses =
    register_loss({"mae-loss", {"images", "prediction", "mask"}, {{"patch", 4, 1, 1e300, false, "patch size"}, normalize_pixels},
                   [](const std::vector<torch::Tensor>& in, const MethodOptionValues& o) {
                     return masked_patch_loss(in[0], in[1], in[2], static_cast<int64_t>(o.at("patch")), o.at("normPixLoss") != 0);
                   }}) &&
    register_loss({"mae-masking", {"tokens", "noise"}, {mask_ratio},
                   [](const std::vector<torch::Tensor>& in, const MethodOptionValues& o) {
                     auto masked = random_masking(in[0], in[1], o.at("maskRatio"));
                     return torch::cat({masked.kept.flatten(1), masked.restore.to(torch::kFloat32), masked.mask}, 1);
                   }});

const bool registered = register_method({
    "mae",
    "MAE",
    "He et al. 2022",
    {},  // no projector: the decoder is the method's own module
    false,
    {},
    "",
    1,
    {mask_ratio, normalize_pixels, {"decoderWidth", 128, 1, 1e300, false, "decoder width (channels)"},
     {"decoderDepth", 4, 1, 1e300, false, "decoder blocks"}, {"decoderHeads", 4, 1, 1e300, false, "decoder attention heads"}},
    [](const StepContext& s, const ViewBatch& v) {
      auto x1 = v.view(0);
      auto& vit = vit_of(*s.nets.backbone);
      auto tokens = vit.embed_patches(x1);
      auto masked = random_masking(tokens, s.uniform_per_item(tokens.size(1), 0, x1.device()), s.option("maskRatio"));
      auto latent = vit.encode(masked.kept);
      auto prediction = std::static_pointer_cast<DecoderImpl>(s.nets.head)->forward(latent, masked.restore);
      return masked_patch_loss(x1, prediction, masked.mask, vit.patch, s.option("normPixLoss") != 0);
    },
    1,
    [](const MethodOptionValues& o, BackboneImpl& backbone) -> std::shared_ptr<nn::Module> {
      const auto width = static_cast<int64_t>(o.at("decoderWidth")), heads = static_cast<int64_t>(o.at("decoderHeads"));
      if (width % heads != 0 || width % 4 != 0) {
        throw_range("options.methodOptions.decoderWidth", "a multiple of 4 and of decoderHeads (" + to_text(heads) + ")", to_text(width));
      }
      return std::make_shared<DecoderImpl>(vit_of(backbone), width, static_cast<int64_t>(o.at("decoderDepth")), heads);
    },
    {"adamw", 1.5e-4, 0.05, {0.9, 0.95}},  // the paper's pre-training: AdamW, base lr 1.5e-4, decay 0.05, betas (0.9, 0.95)
});

}  // namespace

}  // namespace sslmem
