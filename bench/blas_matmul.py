#!/usr/bin/python3
"""Times one float32 matmul through Debian's PyTorch, which links the same libblas.so.3 as the
libtorch sslmem builds against: which BLAS the alternatives system selects decides the speed
(bench/RESULTS.md, "BLAS").

usage: blas_matmul.py THREADS [M K N] [REPEATS]   (defaults 512 50176 512, 3 repeats)
  -> prints {"blas" (the libblas object mapped into this process, symlinks resolved), "threads",
             "shape", "median_ms", "times_ms" (after one warm-up), "cpu_per_wall" (process CPU time
             over wall time of the timed calls: how many cores the BLAS kept busy), "os_threads" (threads
             in the process after the calls: a pthreads OpenBLAS starts its own pool, whatever THREADS)}
"""
import json
import os
import statistics
import sys
import time

import torch


def loaded_blas():
    """Real paths of the BLAS objects mapped into this process (read after torch is imported)."""
    found = set()
    with open('/proc/self/maps') as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and os.path.basename(fields[5].strip()).startswith(('libblas.so', 'libopenblas')):
                found.add(os.path.realpath(fields[5].strip()))
    return sorted(found)


def main():
    threads = int(sys.argv[1])
    m, k, n = (int(v) for v in sys.argv[2:5]) if len(sys.argv) >= 5 else (512, 50176, 512)
    repeats = int(sys.argv[5]) if len(sys.argv) >= 6 else 3
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    a, b = torch.randn(m, k), torch.randn(k, n)
    torch.mm(a, b)  # warm-up: thread pools start, pages fault in
    times = []
    cpu_start = time.process_time()
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        times.append((time.perf_counter() - start) * 1000)
    cpu_per_wall = (time.process_time() - cpu_start) * 1000 / sum(times)
    print(json.dumps({'blas': loaded_blas(), 'threads': threads, 'shape': [m, k, n],
                      'median_ms': round(statistics.median(times), 1), 'times_ms': [round(t, 1) for t in times],
                      'cpu_per_wall': round(cpu_per_wall, 2), 'os_threads': len(os.listdir('/proc/self/task'))}))


if __name__ == '__main__':
    main()
