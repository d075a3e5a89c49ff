"""torchvision's ImageFolder (PIL decoding, convert('RGB')) as the oracle for sslmem's folder loader.

Usage: /usr/bin/python3 image_folder.py ROOT
Prints JSON: classes, the (file name, label) samples in ImageFolder's order, and the RGB pixels
of every image as flat lists (all images must share one size).
"""
import json
import os
import sys

import numpy as np
from torchvision.datasets import ImageFolder

dataset = ImageFolder(sys.argv[1], loader=lambda path: __import__("PIL.Image").Image.open(path).convert("RGB"))
pixels = [np.asarray(dataset.loader(path), dtype=np.uint8).ravel().tolist() for path, _ in dataset.samples]
print(json.dumps({
    "classes": dataset.classes,
    "samples": [[os.path.relpath(path, sys.argv[1]), label] for path, label in dataset.samples],
    "pixels": pixels,
}))
