#!/usr/bin/python3
"""PyTorch peer of bench/train-step.ts: median time of one SimCLR training step of the same
small-cnn backbone + projector (Linear-BN-ReLU-Linear), batch and thread count as sslmem.

usage: train_step.py BATCH THREADS STEPS WIDTH   -> prints {"median_ms", "times_ms" (after 3 warm-up steps), "torch",
    "blas" (the BLAS objects mapped: blas_matmul.loaded_blas), "cpu_per_wall" (process CPU time over wall
    time of the timed steps: the cores kept busy, spinning included)}
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from blas_matmul import loaded_blas


def conv_bn_relu(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class SmallCnn(nn.Module):
    def __init__(self, width):
        super().__init__()
        c1, c2 = max(1, round(32 * width)), max(1, round(64 * width))
        self.features = nn.Sequential(conv_bn_relu(1, c1, 1), conv_bn_relu(c1, c2, 2), conv_bn_relu(c2, c2, 2))
        self.fc = nn.Linear(c2 * 7 * 7, 512)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


def nt_xent(z1, z2, t):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    b = z1.shape[0]
    logits = z @ z.t() / t
    logits = logits.masked_fill(torch.eye(2 * b, dtype=torch.bool), float('-inf'))
    targets = torch.cat([torch.arange(b, 2 * b), torch.arange(0, b)])
    return F.cross_entropy(logits, targets)


def main():
    batch, threads, steps, width = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    backbone = SmallCnn(width)
    projector = nn.Sequential(nn.Linear(512, 512, bias=False), nn.BatchNorm1d(512), nn.ReLU(inplace=True), nn.Linear(512, 128))
    params = list(backbone.parameters()) + list(projector.parameters())
    decay = [p for p in params if p.dim() > 1]
    no_decay = [p for p in params if p.dim() <= 1]
    opt = torch.optim.SGD([{'params': decay, 'weight_decay': 5e-4}, {'params': no_decay, 'weight_decay': 0}], lr=0.06, momentum=0.9)
    views = torch.randn(batch, 2, 1, 28, 28)
    times = []
    for step in range(steps + 3):
        if step == 3:
            cpu_start = time.process_time()
        start = time.perf_counter()
        x1, x2 = views[:, 0], views[:, 1]
        loss = nt_xent(projector(backbone(x1)), projector(backbone(x2)), 0.5)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
        times.append((time.perf_counter() - start) * 1000)
    cpu_per_wall = (time.process_time() - cpu_start) * 1000 / sum(times[3:])
    print(json.dumps({'median_ms': statistics.median(times[3:]), 'times_ms': times[3:], 'torch': torch.__version__, 'blas': loaded_blas(),
                      'cpu_per_wall': round(cpu_per_wall, 2)}))


if __name__ == '__main__':
    main()
