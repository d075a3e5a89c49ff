#!/usr/bin/python3
"""PyTorch peer of bench/align.ts, run by it on the same data and thread counts.

Usage: align_torch.py FILE VIEWS DIMS THREADS REPEATS, e.g. data.f32 16 128,512,2048 1,2 3.
FILE holds float32 values reshaped to [N, VIEWS, D] for each D. For each D and thread count it
times, in anchor mode (view 0 against views 1..V-1):
  F.cosine_similarity(x[:, :1], x[:, 1:], dim=-1)
  torch.cdist(x[:, :1], x[:, 1:])            (L2 distance)
and prints one JSON line per measurement: {"fn", "dims", "threads", "seconds" (median), "gbps",
"gb_per_cpu_second"}, GB counted as input bytes (N * V * D * 4), per wall-clock second and per
second of process CPU time (all threads).
"""
import json
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def main(path, views, dims, threads, repeats):
    flat = torch.from_numpy(np.fromfile(path, dtype=np.float32))
    for d in dims:
        n = flat.numel() // (views * d)
        x = flat[: n * views * d].view(n, views, d)
        fns = {
            "F.cosine_similarity": lambda: F.cosine_similarity(x[:, :1], x[:, 1:], dim=-1),
            "torch.cdist": lambda: torch.cdist(x[:, :1], x[:, 1:]),
        }
        for t in threads:
            torch.set_num_threads(t)
            for name, fn in fns.items():
                fn()  # warm-up
                times = []
                cpu_start = time.process_time()
                for _ in range(repeats):
                    start = time.perf_counter()
                    fn()
                    times.append(time.perf_counter() - start)
                cpu = time.process_time() - cpu_start
                seconds = statistics.median(times)
                size = x.numel() * 4
                print(json.dumps({"fn": name, "dims": d, "threads": t, "seconds": seconds, "gbps": size / seconds / 1e9,
                                  "gb_per_cpu_second": size * repeats / cpu / 1e9, "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), [int(v) for v in sys.argv[3].split(",")],
         [int(v) for v in sys.argv[4].split(",")], int(sys.argv[5]))
