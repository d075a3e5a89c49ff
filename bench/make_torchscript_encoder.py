#!/usr/bin/env python3
"""Writes a TorchScript encoder shaped like sslmem's small-cnn (conv blocks, flatten, 512-d linear)
for bench/score.ts, so sslmem and the PyTorch reference run exactly the same network.

Usage: make_torchscript_encoder.py OUT.pt SEED [C H W]
"""
import sys

import torch
from torch import nn


def small_cnn(c, h, w):
    return nn.Sequential(
        nn.Conv2d(c, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 64, 3, padding=1, stride=2), nn.BatchNorm2d(64), nn.ReLU(),
        nn.Conv2d(64, 64, 3, padding=1, stride=2), nn.BatchNorm2d(64), nn.ReLU(),
        nn.Flatten(), nn.Linear(64 * ((h + 3) // 4) * ((w + 3) // 4), 512),
    )


if __name__ == "__main__":
    out, seed = sys.argv[1], int(sys.argv[2])
    c, h, w = (int(x) for x in sys.argv[3:6]) if len(sys.argv) >= 6 else (1, 28, 28)
    torch.manual_seed(seed)
    model = small_cnn(c, h, w).eval()
    torch.jit.trace(model, torch.zeros(2, c, h, w)).save(out)
