#!/bin/bash
# Scoring resume within a run (issue 16): `sslmem score` of 400 points in segments of 64, killed with
# SIGKILL once 4 segments (256 points) are kept, then `--resume`; against the uninterrupted score, and
# the uninterrupted score in one segment (what segmenting costs). Checks the resumed scores.csv is
# byte-identical. From the repository root after `npx tsc -p tsconfig.json` with the torch tier built:
#   bash bench/score_resume.sh
set -e
D=$(mktemp -d)
CLI="node dist/lib/cli/main.js"
DATA=test/fixtures/fashion-mnist/train-1000-images-idx3-ubyte.gz
# Encoders f and g (one short training each) and the manifest, from a small run.
$CLI run --dataset $DATA --shared 400 --candidates 100 --independent 100 --extra 100 --extra-from train \
  --architecture small-cnn --width 0.5 --epochs 1 --train-batch-size 64 --views 2 --threads 1 --seed 1 --quiet --out $D/run > /dev/null
FLAGS="--f $D/run/encoder-f.sslmem --g $D/run/encoder-g.sslmem --manifest $D/run/manifest.json --dataset $DATA --shared-sample 100 --views 16 --threads 1 --seed 2 --quiet"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
s=$(date +%s.%N); $CLI score $FLAGS --segment-points 512 --out $D/one > /dev/null; e=$(date +%s.%N)
echo "score, one segment (400 points): $(echo "$e - $s" | bc) s"
s=$(date +%s.%N); $CLI score $FLAGS --segment-points 64 --out $D/full > /dev/null; e=$(date +%s.%N)
echo "score, segments of 64: $(echo "$e - $s" | bc) s"
$CLI score $FLAGS --segment-points 64 --out $D/killed > /dev/null & pid=$!
while [ "$(ls $D/.killed.partial/.segments 2>/dev/null | grep -c '^segment-')" -lt 4 ]; do sleep 0.02; done; kill -9 $pid; wait $pid 2>/dev/null || true
echo "kept after the kill: $(ls $D/.killed.partial/.segments | grep -c '^segment-') segments"
s=$(date +%s.%N); $CLI score $FLAGS --segment-points 64 --out $D/killed --resume > /dev/null; e=$(date +%s.%N)
echo "--resume after kill -9: $(echo "$e - $s" | bc) s"
cmp $D/one/scores.csv $D/killed/scores.csv && cmp $D/one/scores.csv $D/full/scores.csv && echo "scores.csv identical (one segment, 64-point segments, resumed)"
rm -rf $D
