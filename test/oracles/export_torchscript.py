#!/usr/bin/python3
"""Makes TorchScript fixtures for test/encoder/torchscript.test.ts at test time.

usage: export_torchscript.py OUT_DIR
Writes OUT_DIR/backbone.pt (torch.jit.trace of a small CNN backbone taking [B, 1, 28, 28] and
returning [B, 32]), OUT_DIR/bad-output.pt (returns a 4-D tensor), OUT_DIR/input.json (a fixed
input batch) and OUT_DIR/expected.json (PyTorch's embeddings of that batch).
"""
import json
import os
import sys

import torch
import torch.nn as nn


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        )
        self.fc = nn.Linear(16 * 14 * 14, 32)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


class Spatial(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)

    def forward(self, x):
        return self.conv(x)


def main():
    out = sys.argv[1]
    torch.manual_seed(7)
    model = Backbone()
    # Non-trivial running statistics so that eval-mode batch norm is exercised.
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(16, 1, 28, 28))
    model.eval()
    example = torch.zeros(1, 1, 28, 28)
    torch.jit.trace(model, example).save(os.path.join(out, 'backbone.pt'))
    torch.jit.trace(Spatial().eval(), example).save(os.path.join(out, 'bad-output.pt'))
    x = torch.randn(5, 1, 28, 28, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        y = model(x)
    with open(os.path.join(out, 'input.json'), 'w') as f:
        json.dump(x.flatten().tolist(), f)
    with open(os.path.join(out, 'expected.json'), 'w') as f:
        json.dump({'shape': list(y.shape), 'data': y.flatten().tolist()}, f)


if __name__ == '__main__':
    main()
