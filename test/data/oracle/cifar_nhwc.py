"""CIFAR binary batches to NHWC the way torchvision's CIFAR10 does it (reshape to N,3,32,32 then
transpose to N,32,32,3), for sslmem's loader tests.

Usage: /usr/bin/python3 cifar_nhwc.py LABEL_BYTES LABEL_INDEX FILE [FILE ...]
Prints JSON: sha256 of the NHWC uint8 bytes and the labels (label byte LABEL_INDEX of each record).
"""
import hashlib
import json
import sys

import numpy as np

label_bytes, label_index = int(sys.argv[1]), int(sys.argv[2])
records = np.concatenate([
    np.fromfile(path, np.uint8).reshape(-1, label_bytes + 3072) for path in sys.argv[3:]
])
images = records[:, label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
print(json.dumps({
    "sha256": hashlib.sha256(np.ascontiguousarray(images).tobytes()).hexdigest(),
    "labels": records[:, label_index].astype(int).tolist(),
}))
