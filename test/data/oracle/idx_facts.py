"""Independent facts about an IDX image/label pair, for sslmem's loader tests.

Usage: /usr/bin/python3 idx_facts.py IMAGES LABELS [FIRST_K]
Prints JSON: count, dims, per-class label histogram (numpy bincount), sha256 of the first image's
raw IDX bytes, sha256 of the first FIRST_K images' bytes, and the dataset fingerprint as sslmem
defines it (sha256 of b"sslmem-dataset-v1 N,H,W,1\\n" + images + labels as little-endian int32).
"""
import gzip
import hashlib
import json
import sys

import numpy as np


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


images = read(sys.argv[1])
labels = read(sys.argv[2])
first_k = int(sys.argv[3]) if len(sys.argv) > 3 else 1
ndim = images[3]
dims = [int.from_bytes(images[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
offset = 4 + 4 * ndim
n, h, w = dims
pixels = np.frombuffer(images, np.uint8, offset=offset).reshape(n, h, w, 1)
label_array = np.frombuffer(labels, np.uint8, offset=8).astype("<i4")
fingerprint = hashlib.sha256(
    f"sslmem-dataset-v1 {n},{h},{w},1\n".encode("ascii") + pixels.tobytes() + label_array.tobytes()
).hexdigest()
print(json.dumps({
    "count": n,
    "dims": dims,
    "histogram": np.bincount(label_array, minlength=10).tolist(),
    "firstImageSha256": hashlib.sha256(images[offset: offset + h * w]).hexdigest(),
    "firstKImagesSha256": hashlib.sha256(images[offset: offset + first_k * h * w]).hexdigest(),
    "firstKLabels": label_array[:first_k].tolist(),
    "fingerprint": fingerprint,
}))
