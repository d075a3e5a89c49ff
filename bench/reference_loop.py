#!/usr/bin/env python3
"""SSLMem scoring the way the authors' code does it, the second baseline of bench/score.ts: one
point at a time, batch size 1: the clean image through f and g once, then each of V augmented views
(torchvision transforms built from the same PipelineSpec as reference_score.py) through f and g,
the representations taken to NumPy, normalized there and compared with the clean image's
(d = ||z_v/|z_v| - z_0/|z_0|||); per point L_f, L_g, m and its standard error over the V pairs.

Usage: reference_loop.py --f f.pt --g g.pt --images images.npy --pipeline spec.json --views 5
       --threads 2   -> prints JSON {"points": N, "seconds": s, "pointsPerSecond": r, "blas": [...]}
"""
import json
import time

import numpy as np
import torch

from blas_matmul import loaded_blas
from reference_score import load_peer_inputs, peer_arguments, view_transform


def main():
    args = peer_arguments(5).parse_args()
    f, g, images, spec = load_peer_inputs(args)
    n, _, h, w = images.shape
    clean, augmented = view_transform(spec["views"][0], (h, w)), view_transform(spec["views"][-1], (h, w))

    def unit(z):
        z = z.numpy()[0]
        return z / np.linalg.norm(z)

    start = time.perf_counter()
    rows = []
    with torch.no_grad():
        for i in range(n):
            image = images[i].float().div(255)
            x0 = clean(image).unsqueeze(0)
            zf0, zg0 = unit(f(x0)), unit(g(x0))
            df, dg = [], []
            for _ in range(args.views):
                x = augmented(image).unsqueeze(0)
                df.append(np.linalg.norm(unit(f(x)) - zf0))
                dg.append(np.linalg.norm(unit(g(x)) - zg0))
            diff = np.array(dg) - np.array(df)
            rows.append((np.mean(df), np.mean(dg), diff.mean(), diff.std(ddof=1) / np.sqrt(args.views)))
    seconds = time.perf_counter() - start
    print(json.dumps({"points": int(n), "seconds": seconds, "pointsPerSecond": n / seconds, "threads": args.threads, "views": args.views, "blas": loaded_blas()}))


if __name__ == "__main__":
    main()
