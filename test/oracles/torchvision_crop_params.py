#!/usr/bin/python3
"""Oracle for the crop sampler's distribution: draws RandomResizedCrop.get_params from
torchvision 0.14 (its own generator, seeded) so tests can compare distributions.

Input (stdin, JSON): {"height", "width", "scale": [lo, hi], "ratio": [lo, hi], "count", "seed"}
Output (stdout, JSON): {"boxes": [[top, left, height, width], ...]}
"""
import json
import sys

import torch
from torchvision.transforms import RandomResizedCrop


def main():
    request = json.load(sys.stdin)
    torch.manual_seed(request["seed"])
    image = torch.zeros(1, request["height"], request["width"])
    boxes = [list(RandomResizedCrop.get_params(image, request["scale"], request["ratio"])) for _ in range(request["count"])]
    json.dump({"boxes": boxes}, sys.stdout)


if __name__ == "__main__":
    main()
