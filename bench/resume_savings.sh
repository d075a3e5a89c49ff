#!/bin/bash
# Resume savings: a full `sslmem run` vs `--resume` after a kill -9 during scoring (both trainings done),
# same flags and seed; checks the two scores.csv are byte-identical. Run from the repository root after
# `npx tsc -p tsconfig.json` with the torch tier built: bash bench/resume_savings.sh
set -e
D=$(mktemp -d)
FLAGS="--dataset test/fixtures/fashion-mnist/train-1000-images-idx3-ubyte.gz --shared 400 --candidates 100 --independent 100 --extra 100 --extra-from train --architecture small-cnn --width 0.5 --epochs 10 --train-batch-size 64 --views 16 --threads 1 --seed 1 --quiet"
s=$(date +%s.%N); node dist/lib/cli/main.js run $FLAGS --out $D/full > /dev/null; e=$(date +%s.%N)
echo "full run: $(echo "$e - $s" | bc) s"
node dist/lib/cli/main.js run $FLAGS --out $D/killed > /dev/null & pid=$!
while [ ! -f $D/.killed.partial/encoder-g.sslmem ]; do sleep 0.05; done; sleep 0.5; kill -9 $pid; wait $pid 2>/dev/null || true
s=$(date +%s.%N); node dist/lib/cli/main.js run $FLAGS --out $D/killed --resume > /dev/null; e=$(date +%s.%N)
echo "resume after kill -9 during scoring: $(echo "$e - $s" | bc) s"
cmp $D/full/scores.csv $D/killed/scores.csv && echo "scores.csv identical"
rm -rf $D
