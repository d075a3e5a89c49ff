#!/usr/bin/env bash
# The SSLMem experiment on real data (issue 6, "evidence that it works"): Fashion-MNIST with
# S_S = 10,000, S_C = S_I = 1,000 training images and S_E = 1,000 test images, the spatial small CNN
# trained with SimCLR (temperature 0.2), scored in anchor mode with 32 views per point.
# Expected: mean m on S_C above S_S, S_E and S_I (one-sided Welch p < 0.001), and S_I below zero.
#
#   scripts/experiment-fashion-mnist.sh [OUT_DIR] [EPOCHS] [THREADS]
#
# Needs both tiers built (npm run build:kernels && npm run build:torch) and Debian's
# dataset-fashion-mnist (/usr/share/datasets/fashion-mnist). Not part of CI: it trains two encoders
# on 11,000 images each. Results: OUT_DIR/summary.txt, summary.json, scores.csv, timing.json.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-experiments/fashion-mnist}"
EPOCHS="${2:-100}"
THREADS="${3:-0}"
npx tsc -p tsconfig.json
start=$(date +%s)
node dist/lib/cli/main.js run \
  --dataset fashion-mnist \
  --shared 10000 --candidates 1000 --independent 1000 \
  --extra 1000 --extra-from test --shared-sample 1000 \
  --architecture small-cnn --method simclr --temperature 0.2 \
  --epochs "$EPOCHS" --train-batch-size 256 --optimizer adam --lr 1e-3 \
  --mode anchor --views 32 --seed 0 --threads "$THREADS" \
  --out "$OUT"
echo "wall time: $(( $(date +%s) - start )) s (epochs $EPOCHS, threads $THREADS)"
