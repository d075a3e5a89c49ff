#!/usr/bin/python3
"""The UnitMem reduction in NumPy, for bench/unitmem.ts: reads float32 [N, V, U] from a raw file,
times (median of R runs) mu = mean over views, per-unit sum, max and argmax over points.

usage: unitmem_numpy.py FILE N V U R   -> one JSON line {seconds, numpy}
"""
import json, sys, time
import numpy as np

path, n, v, u, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
a = np.fromfile(path, dtype=np.float32).reshape(n, v, u)
times = []
for _ in range(repeats):
    start = time.perf_counter()
    mu = a.mean(axis=1, dtype=np.float64)
    total, top, point = mu.sum(axis=0), mu.max(axis=0), mu.argmax(axis=0)
    times.append(time.perf_counter() - start)
print(json.dumps({'seconds': sorted(times)[len(times) // 2], 'numpy': np.__version__}))
