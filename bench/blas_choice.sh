#!/usr/bin/env bash
# The measurements behind scripts/setup.sh's BLAS (bench/RESULTS.md, "BLAS"): Debian's torch on
# OpenBLAS's pthreads and OpenMP builds, switched through the alternatives system and interleaved
# round by round, then once on the netlib reference BLAS. Per BLAS and thread count: a
# 512x50176x512 matmul in Python (bench/blas_matmul.py) and a SimCLR step in PyTorch and sslmem
# (bench/train-step.ts). Needs root, libopenblas0-pthread and libopenblas0-openmp installed and
# `npx tsc -p tsconfig.json`; leaves the alternatives as scripts/setup.sh sets them.
#
#   bash bench/blas_choice.sh [ROUNDS (2)] [STEPS (10)] [REFERENCE_STEPS (3; 0 skips the reference BLAS)]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
steps=${2:-10}
reference_steps=${3:-3}
arch=$(gcc -print-multiarch)
lib=/usr/lib/$arch

# use DIR...: points libblas.so.3, liblapack.so.3 and libopenblas.so.0 at the builds under $lib/DIR.
# All three: Debian's OpenBLAS libblas.so.3 forwards to libopenblas.so.0, a separate alternative.
use() {
  update-alternatives --set "libblas.so.3-$arch" "$lib/$1/libblas.so.3" >/dev/null
  update-alternatives --set "liblapack.so.3-$arch" "$lib/$2/liblapack.so.3" >/dev/null
  update-alternatives --set "libopenblas.so.0-$arch" "$lib/$3/libopenblas.so.0" >/dev/null
}
trap 'use openblas-openmp openblas-openmp openblas-openmp' EXIT

measure() {  # measure NAME THREADS STEPS MATMUL_REPEATS
  echo "== $1, threads $2, load $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/python3 bench/blas_matmul.py "$2" 512 50176 512 "$4"
  node dist/bench/train-step.js --threads "$2" --steps "$3" --rounds 1 | grep -E '^(BLAS|round)'
}

node dist/lib/cli/main.js info
for round in $(seq "$rounds"); do
  for variant in pthread openmp; do
    use "openblas-$variant" "openblas-$variant" "openblas-$variant"
    for threads in 1 2; do measure "round $round, openblas-$variant" "$threads" "$steps" 3; done
  done
done
if [ "$reference_steps" -gt 0 ]; then
  use blas lapack openblas-openmp
  measure "reference BLAS" 1 "$reference_steps" 1
fi
