#!/usr/bin/python3
"""torchvision peer of bench/augment.ts: the SimCLR pipeline (RandomResizedCrop, flip 0.5,
ColorJitter(0.4, 0.4, 0.4, 0.1) at p = 0.8, RandomGrayscale 0.2) on uint8 HWC images, one image at
a time as a Dataset's __getitem__ does, through torchvision's two paths:
  pil:    Image.fromarray -> transforms on the PIL image -> ToTensor
  tensor: torch.from_numpy -> CHW float / 255 -> the same transforms on the tensor
With T threads, T worker processes each transform their share (how a DataLoader with T workers
parallelises), each with torch.set_num_threads(1).

Usage: augment_torchvision.py HEIGHT WIDTH CHANNELS COUNT THREADS REPEATS
Prints one JSON line per path: {"path", "threads", "seconds" (median), "images_per_second", ...}.
"""
import json
import multiprocessing as mp
import statistics
import sys
import time

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
from PIL import Image


def simclr(size):
    return [
        T.RandomResizedCrop(size, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)),
        T.RandomHorizontalFlip(0.5),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(0.2),
    ]


def work(args):
    path, images, size = args
    torch.set_num_threads(1)
    torch.manual_seed(0)
    if path == "pil":
        transform = T.Compose(simclr(size) + [T.ToTensor()])
        start = time.perf_counter()
        for image in images:
            transform(Image.fromarray(image[:, :, 0] if image.shape[2] == 1 else image))
    else:
        transform = T.Compose(simclr(size))
        start = time.perf_counter()
        for image in images:
            transform(torch.from_numpy(image).permute(2, 0, 1).float().div(255))
    return time.perf_counter() - start


def main(height, width, channels, count, threads, repeats):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(count, height, width, channels), dtype=np.uint8)
    shares = np.array_split(images, threads)
    with mp.get_context("fork").Pool(threads) as pool:
        for path in ("pil", "tensor"):
            pool.map(work, [(path, share[: max(1, len(share) // 10)], height) for share in shares])  # warm-up
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                pool.map(work, [(path, share, height) for share in shares])
                times.append(time.perf_counter() - start)
            seconds = statistics.median(times)
            print(json.dumps({"path": path, "threads": threads, "seconds": seconds, "images_per_second": count / seconds,
                              "torch": torch.__version__, "torchvision": torchvision.__version__}), flush=True)


if __name__ == "__main__":
    main(*[int(v) for v in sys.argv[1:7]])
