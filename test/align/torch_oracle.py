#!/usr/bin/python3
"""PyTorch oracle for test/align/torch-oracle.test.ts.

Usage: torch_oracle.py DIR. DIR/manifest.json lists data sets {name, shape: [N, V, D], pairs:
[[i, j], ...]}; DIR/NAME.f32 holds each set's float32 [N, V, D] data. For every set this writes
DIR/NAME.f64: float64 [len(METRICS), N, P], each metric computed with PyTorch's own functions in
float64 from the float32 data, and prints {"torch": version} on stdout.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

METRICS = [
    "torch-cosine-similarity",  # F.cosine_similarity as is (its own eps rule)
    "cosine-similarity",        # <F.normalize(x), F.normalize(y)>
    "cosine-distance",
    "l2-normalized",            # torch.norm(F.normalize(x) - F.normalize(y))
    "l2",                       # torch.cdist
    "squared-l2",
    "angular",                  # torch.acos of the cosine similarity
]


def pair_values(x, pairs):
    i = torch.tensor([p[0] for p in pairs])
    j = torch.tensor([p[1] for p in pairs])
    a, b = x[:, i, :], x[:, j, :]  # [N, P, D]
    n, p, d = a.shape
    an, bn = F.normalize(a, p=2.0, dim=-1, eps=1e-12), F.normalize(b, p=2.0, dim=-1, eps=1e-12)
    cos = (an * bn).sum(-1)
    cdist = torch.cdist(a.reshape(n * p, 1, d), b.reshape(n * p, 1, d),
                        compute_mode="donot_use_mm_for_euclid_dist").reshape(n, p)
    return {
        "torch-cosine-similarity": F.cosine_similarity(a, b, dim=-1),
        "cosine-similarity": cos,
        "cosine-distance": 1 - cos,
        "l2-normalized": torch.norm(an - bn, dim=-1),
        "l2": cdist,
        "squared-l2": cdist ** 2,
        "angular": torch.acos(cos.clamp(-1, 1)),
    }


def main(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    for entry in manifest:
        shape = entry["shape"]
        data = np.fromfile(os.path.join(folder, entry["name"] + ".f32"), dtype=np.float32).reshape(shape)
        values = pair_values(torch.from_numpy(data).double(), entry["pairs"])
        out = torch.stack([values[m] for m in METRICS]).numpy().astype(np.float64)
        out.tofile(os.path.join(folder, entry["name"] + ".f64"))
    print(json.dumps({"torch": torch.__version__, "metrics": METRICS}))


if __name__ == "__main__":
    main(sys.argv[1])
