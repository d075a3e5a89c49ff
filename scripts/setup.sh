#!/usr/bin/env bash
# Sets up sslmem on Debian 12 with Node 20, as root: system packages, npm dependencies (which
# build the kernel tier and compile the TypeScript), then the torch tier against Debian's libtorch.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
# libtorch-dev: the torch tier (libgloo-dev: its distributed training over c10d Gloo). python3-torchvision: the oracle tests and benchmarks compare with.
# dataset-fashion-mnist: the real data set. chromium: renders the HTML report in its test.
packages=(g++ make cmake libtorch-dev libgloo-dev python3-torch python3-torchvision dataset-fashion-mnist chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm run build:torch
