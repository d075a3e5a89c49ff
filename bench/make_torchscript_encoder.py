#!/usr/bin/env python3
"""Writes a TorchScript encoder for bench/score.ts, so sslmem and the PyTorch references run exactly
the same network: 'small-cnn' (shaped like sslmem's: conv blocks, flatten, 512-d linear) or
'resnet18' (torchvision's ResNet-18 with the CIFAR stem: 3x3 stride-1 first conv, no max pool, the
512-d pooled features). Batch norm gets running statistics away from (0, 1), as a trained net has.

Usage: make_torchscript_encoder.py OUT.pt SEED [C H W [ARCH]]
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


def resnet18_cifar(c):
    from torchvision.models import resnet18
    model = resnet18()
    model.conv1 = nn.Conv2d(c, 64, 3, stride=1, padding=1, bias=False)
    model.maxpool = nn.Identity()
    model.fc = nn.Identity()
    return model


if __name__ == "__main__":
    out, seed = sys.argv[1], int(sys.argv[2])
    c, h, w = (int(x) for x in sys.argv[3:6]) if len(sys.argv) >= 6 else (1, 28, 28)
    arch = sys.argv[6] if len(sys.argv) >= 7 else "small-cnn"
    torch.manual_seed(seed)
    model = small_cnn(c, h, w) if arch == "small-cnn" else resnet18_cifar(c)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
    torch.jit.trace(model.eval(), torch.zeros(2, c, h, w)).save(out)
