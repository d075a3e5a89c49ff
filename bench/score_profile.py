#!/usr/bin/env python3
"""Profile of one point's scoring forward pass (V + 1 views through one encoder), for
bench/score-profile.ts: libtorch's operators by self CPU time (torch.autograd.profiler) for the plain
(eager) TorchScript forward and for the inference graph (torch.jit.freeze + optimize_for_inference,
what sslmem builds in C++ with the same libtorch), and, run again with DNNL_VERBOSE=1, the oneDNN
primitives each executes (kind, implementation, count, milliseconds); and milliseconds per image of
the plain forward, the plain forward on channels-last input, freezing alone and the inference graph,
at several images per pass.

Usage: score_profile.py ENCODER.pt ROWS C H W THREADS  -> JSON on stdout
"""
import json
import os
import subprocess
import sys
import time

import torch


def forms(path, shape):
    plain = torch.jit.load(path).eval()
    graph = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.load(path).eval()))
    return {"plain": plain, "graph": graph}


def op_table(model, x, runs=5):
    with torch.inference_mode():
        for _ in range(3):
            model(x)
        with torch.autograd.profiler.profile() as prof:
            for _ in range(runs):
                model(x)
    rows = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
    total = sum(e.self_cpu_time_total for e in rows)
    return [{"op": e.key, "calls": e.count // runs, "ms": e.self_cpu_time_total / runs / 1000, "share": e.self_cpu_time_total / total} for e in rows[:8]]


def primitives(path, rows, shape, form, threads):
    """Runs one forward in a child with DNNL_VERBOSE=1 and sums the primitives it executed."""
    code = (
        "import torch, sys; sys.path.insert(0, %r); from score_profile import forms; torch.set_num_threads(%d);"
        "m = forms(%r, None)[%r]; x = torch.randn(%d, %d, %d, %d)\n"
        "with torch.inference_mode():\n  m(x); m(x); print('--measured--', flush=True); m(x)\n"
    ) % (os.path.dirname(os.path.abspath(__file__)), threads, path, form, rows, *shape)
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "DNNL_VERBOSE": "1"}, capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.split("--measured--", 1)[-1].splitlines():
        parts = line.split(",")
        if len(parts) > 4 and parts[0] in ("onednn_verbose", "dnnl_verbose") and parts[1] == "exec":
            key = f"{parts[3]} {parts[4]}"
            count, ms = table.get(key, (0, 0.0))
            table[key] = (count + 1, ms + float(parts[-1]))
    return [{"primitive": k, "count": c, "ms": ms} for k, (c, ms) in sorted(table.items(), key=lambda kv: -kv[1][1])]


def form_timings(path, shape, threads, row_counts):
    """Milliseconds per image (best of 3 rounds; 1 for the largest passes) of each way to run the forward pass, at several
    rows per pass: what the inference graph, channels-last and the pass size buy."""
    plain = torch.jit.load(path).eval()
    frozen = torch.jit.freeze(torch.jit.load(path).eval())
    graph = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.load(path).eval()))
    ways = {"plain": (plain, False), "plain, channels-last": (plain, True), "freeze only": (frozen, False), "graph": (graph, False)}
    table = []
    with torch.inference_mode():
        for rows in row_counts:
            x = torch.randn(rows, *shape)
            xc = x.contiguous(memory_format=torch.channels_last)
            runs = max(1, int(200 * 28 * 28 / (rows * shape[1] * shape[2] * (30 if shape[0] == 3 else 1))))
            row = {"rows": rows}
            for name, (model, channels_last) in ways.items():
                inp = xc if channels_last else x
                model(inp)
                model(inp)
                best = float("inf")
                for _ in range(3 if rows <= 200 else 1):  # the 1,088-image passes take seconds
                    start = time.perf_counter()
                    for _ in range(runs):
                        model(inp)
                    best = min(best, (time.perf_counter() - start) / runs / rows * 1000)
                row[name] = best
            table.append(row)
    return table


def main():
    path, rows, c, h, w, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    torch.set_num_threads(threads)
    x = torch.randn(rows, c, h, w)
    result = {}
    for name, model in forms(path, (c, h, w)).items():
        result[name] = {"ops": op_table(model, x), "onednn": primitives(path, rows, (c, h, w), name, threads)}
    result["timings"] = form_timings(path, (c, h, w), threads, [rows, 65, 129, 1088])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
