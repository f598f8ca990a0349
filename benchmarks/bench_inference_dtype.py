"""``transform`` latency for float64 input (numpy's default) against float32.

Float64 input is encoded by a float64 copy of the module, so that results do
not depend on how rows are chunked. The copy used to be made on every call;
it is now kept until the weights change. This script times, in one process
and alternating: float32 input, float64 input with the kept copy, and float64
input with the copy made per call (the old behaviour, by clearing the cache),
for 1 row and for 10,000 rows, on a 784-128-64-30 StackedAE, 1 thread.

Usage (from the repository root)::

    python benchmarks/bench_inference_dtype.py
"""

import statistics
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from sklearn_ae import StackedAE, _base


def median_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    X = rng.random((10000, 784))
    ae = StackedAE(n_components=30, hidden_layer_sizes=(128, 64), max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X[:2000].astype(np.float32))

    def per_call_copy(rows):
        _base._DTYPE_COPIES.clear()
        ae.transform(rows)

    print("| rows | float32 | float64 (kept copy) | float64 (copy per call, before) |")
    print("|---:|---:|---:|---:|")
    for n, repeats in ((1, 300), (10000, 7)):
        rows64 = X[:n]
        rows32 = rows64.astype(np.float32)
        t = {"32": [], "64": [], "old": []}
        for _ in range(3):
            t["32"].append(median_seconds(lambda r=rows32: ae.transform(r), repeats))
            t["64"].append(median_seconds(lambda r=rows64: ae.transform(r), repeats))
            t["old"].append(median_seconds(lambda r=rows64: per_call_copy(r), repeats))
        f32, f64, old = (statistics.median(t[k]) * 1e3 for k in ("32", "64", "old"))
        print(f"| {n} | {f32:.3f} ms | {f64:.3f} ms | {old:.3f} ms |")


if __name__ == "__main__":
    main()
