// Per-point pair values and their statistics (align.h defines every quantity and edge case).
#include "align.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "align_rows.h"
#include "cpu_features.h"
#include "errors.h"
#include "parallel.h"
#include "sizes.h"

namespace sslmem {

namespace {

using align_rows::RowKernels;
using Pair = std::pair<int32_t, int32_t>;

const RowKernels kSerial{"serial", align_rows::dot_f32_serial, align_rows::scaled_diff_sq_f32_serial};
#ifdef SSLMEM_ALIGN_X86
const RowKernels kAvx2{"avx2", align_rows::dot_f32_avx2, align_rows::scaled_diff_sq_f32_avx2};
const RowKernels kAvx512{"avx512", align_rows::dot_f32_avx512, align_rows::scaled_diff_sq_f32_avx512};
#endif

bool backend_available(AlignBackend backend) {
  const CpuFeatures& cpu = cpu_features();
  switch (backend) {
    case AlignBackend::Serial: return true;
#ifdef SSLMEM_ALIGN_X86
    case AlignBackend::Avx2: return cpu.avx2 && cpu.fma;
    case AlignBackend::Avx512: return cpu.avx512f;
#else
    default: return false;
#endif
  }
  return false;
}

// Resolved once when the addon loads: the best backend this CPU runs.
const AlignBackend kSelectedBackend = [] {
  if (backend_available(AlignBackend::Avx512)) return AlignBackend::Avx512;
  if (backend_available(AlignBackend::Avx2)) return AlignBackend::Avx2;
  return AlignBackend::Serial;
}();

const RowKernels& row_kernels(AlignBackend backend, const std::string& arg) {
  require_align_backend(backend, arg);
#ifdef SSLMEM_ALIGN_X86
  if (backend == AlignBackend::Avx512) return kAvx512;
  if (backend == AlignBackend::Avx2) return kAvx2;
#endif
  return kSerial;
}

// 1 / max(||x||, eps): multiplying by it is F.normalize's division up to one float64 rounding.
inline double inverse_scale(double norm_sq) { return 1.0 / std::max(std::sqrt(norm_sq), kAlignNormEps); }

// Prefetches part `part` of `parts` of the next point's block. Spread over the pair loop, the
// memory reads of point n+1 overlap the (in-cache) pair arithmetic of point n instead of leaving
// the memory bus idle while it runs.
struct NextBlock {
  const void* data = nullptr;
  int64_t bytes = 0;
};
inline void prefetch_part(const NextBlock& next, size_t part, size_t parts) {
  if (next.data == nullptr) return;
  constexpr int64_t kLine = 64;
  const int64_t lines = (next.bytes + kLine - 1) / kLine;
  const int64_t begin = lines * static_cast<int64_t>(part) / static_cast<int64_t>(parts);
  const int64_t end = lines * static_cast<int64_t>(part + 1) / static_cast<int64_t>(parts);
  const char* base = static_cast<const char*>(next.data);
  for (int64_t l = begin; l < end; ++l) __builtin_prefetch(base + l * kLine, 0, 3);
}

// Computes the P pair values of one point from its [V, D] block. The block is read from memory
// once (the squared norms, which also detect non-finite rows); the pair loops then hit cache.
// Returns the first view whose row is non-finite, or -1.
int64_t point_pair_values(const RowKernels& k, const float* block, const NextBlock& next_block, int64_t views,
                          int64_t dims, AlignMetric metric, const std::vector<Pair>& pairs, double* norm_sq,
                          double* values) {
  int64_t bad_view = -1;
  for (int64_t v = 0; v < views; ++v) {
    const float* row = block + v * dims;
    norm_sq[v] = k.dot(row, row, dims);
    if (bad_view < 0 && !std::isfinite(norm_sq[v])) bad_view = v;
  }
  const size_t count = pairs.size();
  auto row = [&](int32_t v) { return block + static_cast<int64_t>(v) * dims; };
  switch (metric) {
    case AlignMetric::CosineSimilarity:
    case AlignMetric::CosineDistance: {
      const bool distance = metric == AlignMetric::CosineDistance;
      for (size_t p = 0; p < count; ++p) {
        auto [i, j] = pairs[p];
        prefetch_part(next_block, p, count);
        double cos = k.dot(row(i), row(j), dims) * inverse_scale(norm_sq[i]) * inverse_scale(norm_sq[j]);
        values[p] = distance ? 1.0 - cos : cos;
      }
      break;
    }
    case AlignMetric::L2Normalized:
      for (size_t p = 0; p < count; ++p) {
        auto [i, j] = pairs[p];
        prefetch_part(next_block, p, count);
        values[p] = std::sqrt(k.scaled_diff_sq(row(i), inverse_scale(norm_sq[i]), row(j), inverse_scale(norm_sq[j]), dims));
      }
      break;
    case AlignMetric::L2:
    case AlignMetric::SquaredL2: {
      const bool squared = metric == AlignMetric::SquaredL2;
      for (size_t p = 0; p < count; ++p) {
        auto [i, j] = pairs[p];
        prefetch_part(next_block, p, count);
        double sq = k.scaled_diff_sq(row(i), 1.0, row(j), 1.0, dims);
        values[p] = squared ? sq : std::sqrt(sq);
      }
      break;
    }
    case AlignMetric::Angular:
      for (size_t p = 0; p < count; ++p) {
        auto [i, j] = pairs[p];
        prefetch_part(next_block, p, count);
        double si = inverse_scale(norm_sq[i]), sj = inverse_scale(norm_sq[j]);
        bool unit = std::sqrt(norm_sq[i]) >= kAlignNormEps && std::sqrt(norm_sq[j]) >= kAlignNormEps;
        if (unit) {
          double diff = std::sqrt(k.scaled_diff_sq(row(i), si, row(j), sj, dims));
          double sum = std::sqrt(k.scaled_diff_sq(row(i), si, row(j), -sj, dims));
          values[p] = 2.0 * std::atan2(diff, sum);
        } else {
          double cos = k.dot(row(i), row(j), dims) * si * sj;
          values[p] = std::acos(std::min(1.0, std::max(-1.0, cos)));
        }
      }
      break;
  }
  return bad_view;
}

// Mean and sample standard deviation (ddof 1; NaN for a single value), two-pass.
void mean_std(const double* values, size_t count, double* mean, double* std) {
  double sum = 0;
  for (size_t p = 0; p < count; ++p) sum += values[p];
  double m = sum / static_cast<double>(count);
  double ss = 0;
  for (size_t p = 0; p < count; ++p) ss += (values[p] - m) * (values[p] - m);
  *mean = m;
  *std = count > 1 ? std::sqrt(ss / static_cast<double>(count - 1)) : std::numeric_limits<double>::quiet_NaN();
}

// Keeps the smallest bad row index across threads, so the error does not depend on timing.
void record_bad_row(std::atomic<int64_t>& first, int64_t row) {
  int64_t seen = first.load();
  while ((seen < 0 || row < seen) && !first.compare_exchange_weak(seen, row)) {
  }
}

// Throws the "reprs row [point 3, view 1] contains NaN" error for the first non-finite row.
inline float element_value(float x) { return x; }
inline float element_value(uint16_t half) { return align_rows::half_to_float(half); }

template <typename In>
[[noreturn]] void throw_non_finite(const In* data, int64_t row, const AlignShape& shape, const std::string& name) {
  const In* values = data + row * shape.dims;
  std::string what = "NaN";
  for (int64_t k = 0; k < shape.dims; ++k) {
    const float x = element_value(values[k]);
    if (!std::isfinite(x)) {
      what = std::isnan(x) ? "NaN" : (x > 0 ? "Infinity" : "-Infinity");
      break;
    }
  }
  throw Error(ErrorKind::Range, "ERR_SSLMEM_OUT_OF_RANGE",
              name + " row [point " + std::to_string(row / shape.views) + ", view " +
                  std::to_string(row % shape.views) + "] contains " + what +
                  ": expected finite values (pass checkFinite: false to skip this check)");
}

// A point's block as float32: float32 input is used in place; float16 input (IEEE half bits) is
// widened exactly into a per-chunk float32 scratch, so both dtypes share every kernel after it.
template <typename In>
class BlockReader;

template <>
class BlockReader<float> {
 public:
  BlockReader(const float* data, int64_t block, AlignBackend) : data_(data), block_(block) {}
  const float* block(size_t n) { return data_ + static_cast<int64_t>(n) * block_; }
  NextBlock raw(size_t n) const { return {data_ + static_cast<int64_t>(n) * block_, block_ * 4}; }

 private:
  const float* data_;
  int64_t block_;
};

template <>
class BlockReader<uint16_t> {
 public:
  BlockReader(const uint16_t* data, int64_t block, AlignBackend backend)
      : data_(data), block_(block), backend_(backend), scratch_(static_cast<size_t>(block)) {}
  const float* block(size_t n) {
    align_rows::halves_to_floats(data_ + static_cast<int64_t>(n) * block_, scratch_.data(), block_, backend_);
    return scratch_.data();
  }
  NextBlock raw(size_t n) const { return {data_ + static_cast<int64_t>(n) * block_, block_ * 2}; }

 private:
  const uint16_t* data_;
  int64_t block_;
  AlignBackend backend_;
  std::vector<float> scratch_;
};

void check_shape(const AlignShape& shape, const std::string& name) {
  if (shape.points < 1) throw_range(name + ".shape[0]", "at least 1 point", to_text(shape.points));
  if (shape.dims < 1) throw_range(name + ".shape[2]", "at least 1 dimension", to_text(shape.dims));
  if (shape.views > std::numeric_limits<int32_t>::max()) throw_range(name + ".shape[1]", "at most 2^31-1 views", to_text(shape.views));
}

// Enough points per thread that spawning a thread pays off (about 256 KB of input each).
size_t min_points_per_thread(const AlignShape& shape) {
  int64_t block = std::max<int64_t>(1, shape.views * shape.dims);
  return static_cast<size_t>(std::max<int64_t>(1, (int64_t{1} << 16) / block));
}

}  // namespace

AlignMetric parse_align_metric(const std::string& name, const std::string& arg) {
  if (name == "cosine-similarity") return AlignMetric::CosineSimilarity;
  if (name == "cosine-distance") return AlignMetric::CosineDistance;
  if (name == "l2-normalized") return AlignMetric::L2Normalized;
  if (name == "l2") return AlignMetric::L2;
  if (name == "squared-l2") return AlignMetric::SquaredL2;
  if (name == "angular") return AlignMetric::Angular;
  throw_range(arg, "one of \"cosine-similarity\", \"cosine-distance\", \"l2-normalized\", \"l2\", \"squared-l2\", \"angular\"",
              "\"" + name + "\"");
}

Pairing parse_pairing(const std::string& name, const std::string& arg) {
  if (name == "anchor") return Pairing::Anchor;
  if (name == "pairs") return Pairing::Pairs;
  if (name == "all-pairs") return Pairing::AllPairs;
  throw_range(arg, "one of \"anchor\", \"pairs\", \"all-pairs\"", "\"" + name + "\"");
}

AlignBackend parse_align_backend(const std::string& name, const std::string& arg) {
  if (name == "auto") return kSelectedBackend;
  if (name == "serial") return AlignBackend::Serial;
  if (name == "avx2") return AlignBackend::Avx2;
  if (name == "avx512") return AlignBackend::Avx512;
  throw_range(arg, "one of \"auto\", \"serial\", \"avx2\", \"avx512\"", "\"" + name + "\"");
}

const char* align_backend_name(AlignBackend backend) {
  switch (backend) {
    case AlignBackend::Serial: return "serial";
    case AlignBackend::Avx2: return "avx2";
    case AlignBackend::Avx512: return "avx512";
  }
  return "serial";
}

std::vector<AlignBackend> available_align_backends() {
  std::vector<AlignBackend> out;
  for (AlignBackend b : {AlignBackend::Serial, AlignBackend::Avx2, AlignBackend::Avx512}) {
    if (backend_available(b)) out.push_back(b);
  }
  return out;
}

AlignBackend selected_align_backend() { return kSelectedBackend; }

void require_align_backend(AlignBackend backend, const std::string& arg) {
  if (backend_available(backend)) return;
  std::string available;
  for (AlignBackend b : available_align_backends()) available += std::string(available.empty() ? "" : ", ") + align_backend_name(b);
  throw_range(arg, "a backend this CPU supports (" + available + ")", std::string("\"") + align_backend_name(backend) + "\"");
}

int64_t pair_count(Pairing pairing, int64_t views, const std::string& arg) {
  if (views < 2) throw_range(arg, "at least 2 views for every pairing", to_text(views));
  switch (pairing) {
    case Pairing::Anchor: return views - 1;
    case Pairing::Pairs: return views / 2;
    case Pairing::AllPairs: return views * (views - 1) / 2;
  }
  return 0;
}

std::vector<std::pair<int32_t, int32_t>> pair_indices(Pairing pairing, int64_t views, const std::string& arg) {
  std::vector<Pair> out;
  // The list is scratch that grows as views^2 with all-pairs: a failed allocation is a RangeError
  // naming the views, before any point is computed (sizes.h).
  const size_t count = scratch_elements(arg, "pairs per point", {pair_count(pairing, views, arg)});
  try {
    out.reserve(count);
  } catch (const std::bad_alloc&) {
    throw_range(arg, "scratch memory that fits in memory", to_text(count) + " pairs per point (allocation failed)");
  }
  const int32_t v = static_cast<int32_t>(views);
  switch (pairing) {
    case Pairing::Anchor:
      for (int32_t j = 1; j < v; ++j) out.emplace_back(0, j);
      break;
    case Pairing::Pairs:
      for (int32_t i = 0; i + 1 < v; i += 2) out.emplace_back(i, i + 1);
      break;
    case Pairing::AllPairs:
      for (int32_t i = 0; i < v; ++i)
        for (int32_t j = i + 1; j < v; ++j) out.emplace_back(i, j);
      break;
  }
  return out;
}

namespace {

template <typename In>
void pair_stats_impl(const In* reprs, const AlignShape& shape, const AlignConfig& config, const std::string& name,
                     double* mean, double* std, float* pairs_out) {
  check_shape(shape, name);
  const std::vector<Pair> pairs = pair_indices(config.pairing, shape.views, name + ".shape[1]");
  const RowKernels& k = row_kernels(config.backend, "options.backend");
  const size_t count = pairs.size();
  const int64_t block = shape.views * shape.dims;
  const std::string scratch_arg = name + ".shape[1]";
  scratch_elements(scratch_arg, "one value per pair, per thread", {static_cast<int64_t>(count)});
  std::atomic<int64_t> first_bad{-1};
  parallel_for(static_cast<size_t>(shape.points), config.threads, [&](size_t begin, size_t end) {
    // Scratch per chunk, not per point.
    std::vector<double> norm_sq(static_cast<size_t>(shape.views)), values;
    resize_scratch_or_throw(values, count, scratch_arg);
    BlockReader<In> reader(reprs, block, config.backend);
    for (size_t n = begin; n < end; ++n) {
      int64_t bad = point_pair_values(k, reader.block(n), n + 1 < end ? reader.raw(n + 1) : NextBlock{}, shape.views,
                                      shape.dims, config.metric, pairs, norm_sq.data(), values.data());
      if (bad >= 0) record_bad_row(first_bad, static_cast<int64_t>(n) * shape.views + bad);
      mean_std(values.data(), count, &mean[n], &std[n]);
      if (pairs_out != nullptr) {
        float* out = pairs_out + n * count;
        for (size_t p = 0; p < count; ++p) out[p] = static_cast<float>(values[p]);
      }
    }
  }, min_points_per_thread(shape));
  if (config.check_finite && first_bad.load() >= 0) throw_non_finite(reprs, first_bad.load(), shape, name);
}

template <typename In>
void difference_impl(const In* f, const In* g, const AlignShape& shape, const AlignConfig& config,
                     const DifferenceOutputs& out) {
  check_shape(shape, "f");
  // Checked before the pair list is built: each thread keeps two values per pair.
  scratch_elements("f.shape[1]", "one value per pair under f and one under g, per thread", {pair_count(config.pairing, shape.views, "f.shape[1]"), 2});
  const std::vector<Pair> pairs = pair_indices(config.pairing, shape.views, "f.shape[1]");
  const RowKernels& k = row_kernels(config.backend, "options.backend");
  const size_t count = pairs.size();
  const int64_t block = shape.views * shape.dims;
  std::atomic<int64_t> first_bad_f{-1}, first_bad_g{-1};
  parallel_for(static_cast<size_t>(shape.points), config.threads, [&](size_t begin, size_t end) {
    std::vector<double> norm_sq(static_cast<size_t>(shape.views)), values_f, values_g;
    resize_scratch_or_throw(values_f, count, "f.shape[1]");
    resize_scratch_or_throw(values_g, count, "f.shape[1]");
    BlockReader<In> reader_f(f, block, config.backend), reader_g(g, block, config.backend);
    for (size_t n = begin; n < end; ++n) {
      // While f's pairs are computed, g's block of the same point arrives; then f's next block.
      int64_t bad_f = point_pair_values(k, reader_f.block(n), reader_g.raw(n), shape.views, shape.dims, config.metric,
                                        pairs, norm_sq.data(), values_f.data());
      int64_t bad_g = point_pair_values(k, reader_g.block(n), n + 1 < end ? reader_f.raw(n + 1) : NextBlock{},
                                        shape.views, shape.dims, config.metric, pairs, norm_sq.data(), values_g.data());
      if (bad_f >= 0) record_bad_row(first_bad_f, static_cast<int64_t>(n) * shape.views + bad_f);
      if (bad_g >= 0) record_bad_row(first_bad_g, static_cast<int64_t>(n) * shape.views + bad_g);
      double unused;
      mean_std(values_f.data(), count, &out.mean_f[n], &unused);
      mean_std(values_g.data(), count, &out.mean_g[n], &unused);
      if (out.pairs_f != nullptr) {
        for (size_t p = 0; p < count; ++p) out.pairs_f[n * count + p] = static_cast<float>(values_f[p]);
      }
      if (out.pairs_g != nullptr) {
        for (size_t p = 0; p < count; ++p) out.pairs_g[n * count + p] = static_cast<float>(values_g[p]);
      }
      // Pair by pair (common random numbers: both encoders saw the same two views).
      for (size_t p = 0; p < count; ++p) values_g[p] -= values_f[p];
      mean_std(values_g.data(), count, &out.mean_diff[n], &out.std_diff[n]);
      out.se[n] = out.std_diff[n] / std::sqrt(static_cast<double>(count));
    }
  }, min_points_per_thread(shape));
  if (config.check_finite) {
    if (first_bad_f.load() >= 0) throw_non_finite(f, first_bad_f.load(), shape, "f");
    if (first_bad_g.load() >= 0) throw_non_finite(g, first_bad_g.load(), shape, "g");
  }
}

}  // namespace

void align_pair_stats_f32(const float* reprs, const AlignShape& shape, const AlignConfig& config,
                          const std::string& name, double* mean, double* std, float* pairs) {
  pair_stats_impl(reprs, shape, config, name, mean, std, pairs);
}

void align_pair_stats_f16(const uint16_t* reprs, const AlignShape& shape, const AlignConfig& config,
                          const std::string& name, double* mean, double* std, float* pairs) {
  pair_stats_impl(reprs, shape, config, name, mean, std, pairs);
}

void align_difference_f32(const float* f, const float* g, const AlignShape& shape, const AlignConfig& config,
                          const DifferenceOutputs& out) {
  difference_impl(f, g, shape, config, out);
}

void align_difference_f16(const uint16_t* f, const uint16_t* g, const AlignShape& shape, const AlignConfig& config,
                          const DifferenceOutputs& out) {
  difference_impl(f, g, shape, config, out);
}

}  // namespace sslmem
