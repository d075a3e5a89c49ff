// VICReg (Bardes et al. 2022): invariance, variance and covariance terms on the expander's output.
#include "method.h"

namespace sslmem {

namespace {

namespace F = torch::nn::functional;

// Algorithm 1's three terms, each testable on its own:
//   invariance: mean squared error between z1 and z2 (F.mse_loss);
//   variance:   mean over dimensions of relu(gamma - sqrt(var(z) + eps)), var unbiased;
//   covariance: sum of squared off-diagonal entries of cov(z) (unbiased), divided by D.
torch::Tensor vicreg_invariance(const torch::Tensor& z1, const torch::Tensor& z2) { return F::mse_loss(z1, z2); }

torch::Tensor vicreg_variance(const torch::Tensor& z, double gamma, double eps) {
  auto std = torch::sqrt(z.var(0) + eps);
  return torch::relu(gamma - std).mean();
}

torch::Tensor vicreg_covariance(const torch::Tensor& z) {
  const int64_t n = z.size(0), d = z.size(1);
  auto centred = z - z.mean(0);
  auto cov = torch::mm(centred.t(), centred) / static_cast<double>(n - 1);
  auto off_diagonal = cov - torch::diag(torch::diagonal(cov));
  return off_diagonal.pow(2).sum() / static_cast<double>(d);
}

// loss = lambda * inv + mu * (variance(z1) + variance(z2)) / 2 + nu * (covariance(z1) + covariance(z2)),
// with gamma 1 and eps 1e-4 in the variance.
torch::Tensor vicreg_loss(const torch::Tensor& z1, const torch::Tensor& z2, const MethodOptionValues& w) {
  check_pair(z1, z2, "VICReg inputs", 2);
  return w.at("invariance") * vicreg_invariance(z1, z2) + w.at("variance") * (vicreg_variance(z1, 1.0, 1e-4) + vicreg_variance(z2, 1.0, 1e-4)) / 2 +
         w.at("covariance") * (vicreg_covariance(z1) + vicreg_covariance(z2));
}

// lambda = mu = 25, nu = 1 (section 4.2).
const std::vector<MethodOption> weights{
    {"invariance", 25, 0, 1e300, false, "weight lambda of the invariance term"},
    {"variance", 25, 0, 1e300, false, "weight mu of the variance term"},
    {"covariance", 1, 0, 1e300, false, "weight nu of the covariance term"},
};

const bool registered_losses = register_loss({"vicreg", {"z1", "z2"}, weights,
                                              [](const std::vector<torch::Tensor>& in, const MethodOptionValues& o) { return vicreg_loss(in[0], in[1], o); }}) &&
                               register_loss({"vicreg-invariance", {"z1", "z2"}, {},
                                              [](const std::vector<torch::Tensor>& in, const MethodOptionValues&) { return vicreg_invariance(in[0], in[1]); }}) &&
                               register_loss({"vicreg-variance",
                                              {"z"},
                                              {{"gamma", 1, 0, 1e300, false, "target standard deviation"}, {"eps", 1e-4, 0, 1e300, false, "added to the variance"}},
                                              [](const std::vector<torch::Tensor>& in, const MethodOptionValues& o) { return vicreg_variance(in[0], o.at("gamma"), o.at("eps")); }}) &&
                               register_loss({"vicreg-covariance", {"z"}, {},
                                              [](const std::vector<torch::Tensor>& in, const MethodOptionValues&) { return vicreg_covariance(in[0]); }});

const bool registered = register_method({
    "vicreg",
    "VICReg",
    "Bardes et al. 2022",
    {8192, 8192, 8192},  // the expander
    false,
    {},
    "",
    2,
    weights,
    [](const StepContext& s, const ViewBatch& v) {
      auto z1 = s.online(v.view(0));
      auto z2 = s.online(v.view(1));
      return vicreg_loss(z1, z2, s.options);
    },
});

}  // namespace

}  // namespace sslmem
