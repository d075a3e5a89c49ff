// UnitMem (Wang et al., "Localizing Memorization in SSL Vision Encoders", NeurIPS 2024, eq. 2):
// for every unit k of a layer and every point x, mu_k(x) is the unit's activation averaged over V
// augmented views of x; over the N points, mu_max,k = max_x mu_k(x) and mu_-max,k is the mean of
// mu_k over the other N - 1 points; the unit's selectivity is
//   UnitMem_k = (mu_max,k - mu_-max,k) / (mu_max,k + mu_-max,k).
//
// Streaming: points arrive in batches; the state keeps, per unit, the exact sum of mu_k over the
// points seen (exact_sum.h: independent of arrival order), the largest mu_k and the point that
// attains it. Memory is O(units), whatever the number of points; two states (shards of one set of
// points) merge exactly: the merged state equals one pass over all points, bit for bit.
//
// Defined edge cases (every caller and the docs rely on them):
//   ties       the point with the smallest id attains mu_max (ids are the callers' dataset ids);
//   constant   a unit whose mu_-max equals its mu_max (every point gives the same mean, e.g. an
//              all-zero ReLU unit) selects no point (point -1) and has selectivity 0;
//   zero sum   mu_max + mu_-max == 0 otherwise (signed activations) gives selectivity 0 too;
//   N < 2      no mu_-max exists: a RangeError;
//   non-finite activations are a RangeError naming point, view and unit.
// mu_k(x) sums the V views in view order in double and divides by V.
#pragma once

#include <cstdint>
#include <string>

#include "cancel.h"
#include "exact_sum.h"

namespace sslmem {

// A streaming state over `units` units, in caller-owned arrays (JS typed arrays): sums
// [units * exact_sum::kDigits] (canonical after every call), top [units] (-Infinity before any
// point), top_point [units] (-1 before any point), and the number of points folded in. An empty
// state has zero sums, top -Infinity, top_point -1 and points 0 (the TS façade makes it).
struct UnitMemState {
  int64_t units = 0;
  int64_t* sums = nullptr;
  double* top = nullptr;
  double* top_point = nullptr;
  double* points = nullptr;  // one double: points folded in so far
};

// Folds in `n` points: activations float32 [n, views, units] (row-major), ids [n] (integers, any
// order, each point once over all calls and shards). `arg` names the activations in errors.
void unitmem_accumulate_f32(UnitMemState& state, const float* activations, const double* ids, int64_t n, int64_t views,
                            int threads, const CancelFlag& cancel, const std::string& arg);

// into += from (the same units; the points of the two must be disjoint).
void unitmem_merge(UnitMemState& into, const UnitMemState& from);

// Per unit: mu_max, mu_-max, selectivity and the selected point (-1: none), each [units].
void unitmem_finish(const UnitMemState& state, double* mu_max, double* mu_rest, double* selectivity, double* point);

}  // namespace sslmem
