#!/usr/bin/env python3
"""Reference SSLMem scoring in plain PyTorch + torchvision, the baseline of bench/score.ts.

Scores every point the way sslmem's `score()` does in anchor mode: `--views V` are V augmented
views (as in sslmem and the authors' code), each compared with the clean image: view 0 is the clean
image, views 1..V are augmented by torchvision transforms built from the same PipelineSpec (V + 1
views rendered, V pairs), the SAME views go through encoders f and g (TorchScript), and per point
L_f, L_g, m = mean(d_g - d_f) and its standard error over the V pairs come from
d = ||f(x')/|f(x')| - f(x'')/|f(x'')|||. Batched like a careful PyTorch user would: views of
`--batch` points are stacked and embedded in one no-grad forward per encoder.

Usage: reference_score.py --f f.pt --g g.pt --images images.npy --pipeline spec.json --views 16
       --threads 2 --batch 64   -> prints JSON {"points": N, "seconds": s, "pointsPerSecond": r, "blas": [mapped BLAS objects]}
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn.functional as F
from torchvision import transforms as T

from blas_matmul import loaded_blas


def view_transform(spec, size):
    """torchvision transforms for one sslmem ViewTransformSpec (tensor images, float in [0, 1])."""
    steps = []
    crop = spec.get("crop")
    out = spec.get("size", size)
    if isinstance(out, int):
        out = (out, out)
    if crop is not None:
        steps.append(T.RandomResizedCrop(tuple(out), scale=tuple(crop.get("scale", (0.08, 1.0))), ratio=tuple(crop.get("ratio", (3 / 4, 4 / 3))), antialias=crop.get("antialias", True)))
    elif tuple(out) != tuple(size):
        steps.append(T.Resize(tuple(out), antialias=True))
    if spec.get("flip"):
        steps.append(T.RandomHorizontalFlip(spec["flip"]))
    jitter = spec.get("colorJitter")
    if jitter:
        steps.append(T.RandomApply([T.ColorJitter(jitter.get("brightness", 0), jitter.get("contrast", 0), jitter.get("saturation", 0), jitter.get("hue", 0))], p=jitter["p"]))
    if spec.get("grayscale"):
        steps.append(T.RandomGrayscale(spec["grayscale"]))
    blur = spec.get("blur")
    if blur:
        steps.append(T.RandomApply([T.GaussianBlur(blur["kernelSize"], tuple(blur.get("sigma", (0.1, 2.0))))], p=blur["p"]))
    solarize = spec.get("solarize")
    if solarize:
        steps.append(T.RandomSolarize(solarize.get("threshold", 0.5), p=solarize["p"]))
    norm = spec.get("normalize")
    if norm:
        steps.append(T.Normalize(norm["mean"], norm["std"]))
    return T.Compose(steps)


def peer_arguments(views):
    """The arguments both PyTorch peers take (this file and reference_loop.py)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--f", required=True)
    parser.add_argument("--g", required=True)
    parser.add_argument("--images", required=True, help="uint8 .npy [N, H, W, C]")
    parser.add_argument("--pipeline", required=True, help="PipelineSpec JSON (view 0 = clean anchor)")
    parser.add_argument("--views", type=int, default=views, help="augmented views per point (V pairs against the clean image)")
    parser.add_argument("--threads", type=int, default=1)
    return parser


def load_peer_inputs(args):
    """Threads and seed set; (f, g, images uint8 [N, C, H, W], pipeline spec)."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    f = torch.jit.load(args.f).eval()
    g = torch.jit.load(args.g).eval()
    images = torch.from_numpy(np.load(args.images)).permute(0, 3, 1, 2).contiguous()
    with open(args.pipeline) as fh:
        spec = json.load(fh)
    return f, g, images, spec


def main():
    parser = peer_arguments(16)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    f, g, images, spec = load_peer_inputs(args)
    n, _, h, w = images.shape
    per_view = [view_transform(v, (h, w)) for v in spec["views"]]

    def transform_for(v):
        return per_view[min(v, len(per_view) - 1)]

    best = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        results = []
        with torch.no_grad():
            for b in range(0, n, args.batch):
                batch = images[b:b + args.batch].float().div(255)
                rendered = args.views + 1  # the clean anchor and V augmented views
                views = torch.stack([torch.stack([transform_for(v)(img) for v in range(rendered)]) for img in batch])
                flat = views.flatten(0, 1)
                zf = F.normalize(f(flat), dim=1).view(len(batch), rendered, -1)
                zg = F.normalize(g(flat), dim=1).view(len(batch), rendered, -1)
                df = (zf[:, 1:] - zf[:, :1]).norm(dim=2)
                dg = (zg[:, 1:] - zg[:, :1]).norm(dim=2)
                diff = (dg - df).double()
                results.append(torch.stack([df.double().mean(1), dg.double().mean(1), diff.mean(1), diff.std(1) / args.views ** 0.5], 1))
        torch.cat(results)
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"points": int(n), "seconds": best, "pointsPerSecond": n / best, "threads": args.threads, "views": args.views, "pairs": args.views,
                      "blas": loaded_blas()}))


if __name__ == "__main__":
    main()
