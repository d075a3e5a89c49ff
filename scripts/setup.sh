#!/usr/bin/env bash
# Sets up sslmem on Debian 12 with Node 20, as root: system packages, npm dependencies (which
# build the kernel tier and compile the TypeScript), then the torch tier against Debian's libtorch.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
# libtorch-dev: the torch tier (libgloo-dev: its distributed training over c10d Gloo). python3-torchvision: the oracle tests and benchmarks compare with.
# dataset-fashion-mnist: the real data set. chromium: renders the HTML report in its test.
# libopenblas0-openmp: libtorch links libblas.so.3, which a fresh Debian 12 points at the netlib
# reference BLAS: a 512x50176x512 matmul took 11.6 s there against 0.4 s on OpenBLAS, a SimCLR step
# of small-cnn 3.5x as long. The OpenMP build rather than the pthreads one: it runs in libtorch's own
# OpenMP threads, so sslmem's `threads` bounds it, where the pthreads build starts a pool of its own
# even at threads 1; their speed was the same here (bench/RESULTS.md, "BLAS").
packages=(g++ make cmake libtorch-dev libgloo-dev libopenblas0-openmp python3-torch python3-torchvision dataset-fashion-mnist chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Installed is not selected: another BLAS with a higher alternatives priority (libopenblas0-pthread)
# would still win. Debian's OpenBLAS libblas.so.3 forwards to libopenblas.so.0, a separate
# alternative, so all three links must point at the OpenMP build.
multiarch=$(gcc -print-multiarch)
for lib in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
  update-alternatives --set "$lib-$multiarch" "/usr/lib/$multiarch/openblas-openmp/$lib"
done

npm ci --no-audit --no-fund
npm run build:torch
