"""Writes .npy files with NumPy itself (the reference writer) for sslmem's .npy loader tests.

Usage: /usr/bin/python3 write_npy.py DIR
Writes the files below into DIR and prints JSON {name: {"shape": [...], "values": [...]}} with
the values NumPy holds (C order), so the test compares what sslmem reads with what NumPy wrote.
"""
import json
import os
import sys

import numpy as np

out = sys.argv[1]
arrays = {
    "u1_v1": (np.arange(24, dtype=np.uint8).reshape(2, 3, 4) * 10, (1, 0)),
    "f4_v2": (np.array([[0.5, -1.25, 3.0e-8], [np.inf, -0.0, 1e30]], dtype="<f4"), (2, 0)),
    "u1_v3": (np.array([255, 0, 7], dtype=np.uint8), (3, 0)),
    "scalar_f4": (np.array(2.5, dtype="<f4"), (1, 0)),
    "images_nhw": (np.arange(5 * 4 * 3, dtype=np.uint8).reshape(5, 4, 3), (1, 0)),
    "images_nhwc": (np.arange(2 * 2 * 2 * 3, dtype=np.uint8).reshape(2, 2, 2, 3) + 100, (1, 0)),
    "labels_i8": (np.array([0, 3, 1, 2, 9], dtype="<i8"), (1, 0)),
    "labels_i4": (np.array([1, 0], dtype="<i4"), (1, 0)),
    "labels_u1": (np.array([4, 0, 4, 1, 2], dtype=np.uint8), (1, 0)),
    "labels_u2": (np.array([65535, 0, 1], dtype="<u2"), (1, 0)),
    "labels_i2": (np.array([-3, 0, 1], dtype="<i2"), (1, 0)),
    "neg_labels": (np.array([-1, 0, 1, 2, 3], dtype="<i8"), (1, 0)),
    "big_i8": (np.array([1, 2 ** 40], dtype="<i8"), (1, 0)),
    "fortran": (np.asfortranarray(np.arange(6, dtype=np.uint8).reshape(2, 3)), (1, 0)),
    "f8": (np.zeros(3, dtype="<f8"), (1, 0)),
    "be_f4": (np.zeros(3, dtype=">f4"), (1, 0)),
    "bool": (np.zeros(3, dtype=bool), (1, 0)),
    "structured": (np.zeros(2, dtype=[("a", "<i4"), ("b", "u1")]), (1, 0)),
    "f4_images": (np.zeros((2, 2, 2), dtype="<f4"), (1, 0)),
}
facts = {}
for name, (array, version) in arrays.items():
    with open(os.path.join(out, name + ".npy"), "wb") as f:
        np.lib.format.write_array(f, array, version=version)
    if array.dtype.fields is None:
        values = np.ascontiguousarray(array).ravel().astype(float)
        facts[name] = {"shape": list(array.shape), "values": [v if np.isfinite(v) else str(v) for v in values.tolist()]}
print(json.dumps(facts))
