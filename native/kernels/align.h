// Alignment of representation views: per point, the distances (or similarities) between pairs of
// its views, their mean, standard deviation and count, and the paired difference between two
// encoders' representations of the same views (the raw SSLMem estimate, Wang et al., ICLR 2024).
//
// Input: float32 reprs [N, V, D], row-major: point n, view v is the row reprs + (n * V + v) * D;
// or IEEE float16 (binary16 bits in uint16), widened exactly to float32 one point's block at a
// time (F16C where the CPU has it, else in software), so it reads half the bytes and otherwise
// gives exactly what the float32 path gives on the widened values.
//
// Metrics (each one is either a distance or a similarity, never both):
//   For a row x let s(x) = max(||x||_2, eps) with eps = 1e-12 and x^ = x / s(x). This is PyTorch's
//   F.normalize(x, p=2, dim=-1, eps=1e-12): a zero vector (or any vector of norm below eps) is NOT
//   blown up to unit length; the zero vector normalizes to the zero vector.
//   cosine-similarity  <x^, y^> = <x, y> / (s(x) s(y))           zero vector: 0
//   cosine-distance    1 - cosine-similarity                     zero vector: 1
//   l2-normalized      ||x^ - y^||_2 (the SSLMem default)        zero vector: ||y^|| (1, or 0 if both)
//                      Computed as the norm of the difference, component by component, never as
//                      sqrt(2 - 2 cos): near-identical views (the interesting case: memorized points)
//                      would lose every digit to cancellation in 2 - 2cos.
//   angular            the angle between x and y in radians, in [0, pi]. When both norms are >= eps
//                      (x^ and y^ are unit vectors) it is 2 atan2(||x^ - y^||, ||x^ + y^||), which is
//                      accurate near 0 and pi where acos(cos) is not; otherwise (a zero or tiny
//                      vector) acos(clamp(cosine-similarity, -1, 1)), so a zero vector gives pi/2.
//   l2                 ||x - y||_2 on raw vectors                zero vectors: plain arithmetic
//   squared-l2         ||x - y||_2^2 on raw vectors
//   Note: with zero vectors l2-normalized^2 != 2 - 2 cos (x^ is not a unit vector); both follow
//   their definitions above, the same in every backend.
//
// Pairings (view indices i < j; P = pairs per point):
//   anchor     (0, j) for j = 1..V-1, P = V - 1: view 0 is the clean image (the authors' code).
//   pairs      (0,1), (2,3), ..., P = floor(V/2): disjoint augmented pairs (the paper's formula);
//              with odd V the last view is unused.
//   all-pairs  every (i, j), i < j, P = V(V-1)/2 (the U-statistic), ordered by i then j.
//   All need V >= 2.
//
// Accumulator: float64. Every float32 element is widened to double before it is multiplied, so a
// product of two float32 values is exact (24 + 24 bits < 53) and the only error is float64
// rounding in the sums: relative error about D * 2^-53 of the sum of |terms|, i.e. 1e-13 at
// D = 2048, far below the float32 precision of the input (6e-8) and of the returned pair values.
// float64 also keeps norms of 1e30 (squares 1e60) and 1e-30 (squares 1e-60) representable, where
// float32 squares would overflow or flush to zero. The widening costs no memory bandwidth: the
// kernels stay memory-bound (bench/align.ts).
//
// Statistics per point over its P pair values (in float64, before rounding pairs to float32):
// mean; std with ddof 1 (NaN when P = 1, as numpy/PyTorch); count = P. Paired difference: for
// each pair k, diff_k = d_g,k - d_f,k (g's value minus f's value for the SAME two views), then
// meanDiff, stdDiff (ddof 1) and se = stdDiff / sqrt(P).
//
// Non-finite input: every row's squared norm is computed anyway, and is non-finite exactly when
// the row contains NaN or +-Inf (finite float32 squares cannot overflow float64), so the check
// costs no extra pass. With check_finite the job fails naming the first bad row.
//
// Memory: one pass per point. The point's V*D block is read from memory once (the norms); the
// pair values are then computed from cache (V*D*4 bytes: 256 KB at V = 32, D = 2048).
//
// Backends: pair kernels are written per backend (serial, avx2 with fma, avx512f) using
// function-level target attributes; the best one is chosen once at load (cpu_features.h). All
// follow the rules above; they differ only in float64 summation order (agreement ~1e-15 relative).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sslmem {

enum class AlignMetric { CosineSimilarity, CosineDistance, L2Normalized, L2, SquaredL2, Angular };
enum class Pairing { Anchor, Pairs, AllPairs };
enum class AlignBackend { Serial, Avx2, Avx512 };

constexpr double kAlignNormEps = 1e-12;

// Parse the JS names ("l2-normalized", "anchor", "avx2", ...); throw a RangeError naming `arg`.
AlignMetric parse_align_metric(const std::string& name, const std::string& arg);
Pairing parse_pairing(const std::string& name, const std::string& arg);
AlignBackend parse_align_backend(const std::string& name, const std::string& arg);
const char* align_backend_name(AlignBackend backend);

// Backends this CPU can run, serial first; and the one chosen at load (the best of them).
std::vector<AlignBackend> available_align_backends();
AlignBackend selected_align_backend();
// Throws a RangeError naming `arg` when this CPU cannot run `backend`.
void require_align_backend(AlignBackend backend, const std::string& arg);

// Number of pairs per point, and the pairs themselves in output order. Throws a RangeError
// (argument `arg`) when V < 2.
int64_t pair_count(Pairing pairing, int64_t views, const std::string& arg);
std::vector<std::pair<int32_t, int32_t>> pair_indices(Pairing pairing, int64_t views, const std::string& arg);

struct AlignShape {
  int64_t points = 0, views = 0, dims = 0;
};

struct AlignConfig {
  AlignMetric metric = AlignMetric::L2Normalized;
  Pairing pairing = Pairing::Anchor;
  bool check_finite = true;
  int threads = 0;  // 0: all hardware threads
  AlignBackend backend = AlignBackend::Serial;  // callers pass selected_align_backend() by default
};

// Per-point statistics of one encoder's pair values (the _f16 variants take IEEE float16 bits,
// widened exactly to float32 block by block, then follow the float32 path bit for bit). `mean` and `std` have N entries; `pairs`
// (optional, may be null) receives [N, P] float32 pair values. `name` is the argument named in
// errors ("reprs").
void align_pair_stats_f32(const float* reprs, const AlignShape& shape, const AlignConfig& config,
                          const std::string& name, double* mean, double* std, float* pairs);
void align_pair_stats_f16(const uint16_t* reprs, const AlignShape& shape, const AlignConfig& config,
                          const std::string& name, double* mean, double* std, float* pairs);

// Per-point paired difference g - f. Every output has N entries; pairs_f / pairs_g are optional
// [N, P] float32 outputs.
struct DifferenceOutputs {
  double* mean_f = nullptr;
  double* mean_g = nullptr;
  double* mean_diff = nullptr;
  double* std_diff = nullptr;
  double* se = nullptr;
  float* pairs_f = nullptr;
  float* pairs_g = nullptr;
};
void align_difference_f32(const float* f, const float* g, const AlignShape& shape,
                          const AlignConfig& config, const DifferenceOutputs& out);
void align_difference_f16(const uint16_t* f, const uint16_t* g, const AlignShape& shape,
                          const AlignConfig& config, const DifferenceOutputs& out);

}  // namespace sslmem
