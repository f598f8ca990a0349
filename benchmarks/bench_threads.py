"""Torch thread count against model size, on a quiet and on a busy machine.

For a small model (the default StackedAE on digits) and a large one
(784-512-256-32 on 10k MNIST rows), time one training epoch with 1 thread, with
every thread (``n_jobs=-1``) and with the package's choice (``n_jobs=None``),
first as the machine is, then with one competing CPU-bound process started by
this script (a second busy core, as on a user's laptop running something else).
Runs alternate so that drift hits every setting alike; the figures to read are
the ratios within one load condition.

Usage (from the repository root)::

    python benchmarks/bench_threads.py --data-home ../shared/data
"""

import argparse
import multiprocessing as mp
import statistics
import time
import warnings

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sklearn_ae import StackedAE
from sklearn_ae.datasets import fetch_mnist


def _burn(stop):
    x = np.random.default_rng(0).random((300, 300))
    while not stop.is_set():
        x = np.tanh(x @ x / 300)


def epoch_seconds(make, X, n_jobs, repeats):
    times = []
    for _ in range(repeats):
        est = make(n_jobs)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X)
        times.append((time.perf_counter() - start) / est.n_iter_)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    digits = (load_digits().data / 16).astype(np.float32)
    mnist = fetch_mnist(data_home=args.data_home).data[:10000]
    mnist = (mnist / 255.0).astype(np.float32) if mnist.max() > 1 else mnist
    cases = {
        "small: StackedAE() on digits (1797x64)": (
            lambda j: StackedAE(n_components=8, max_iter=3, n_jobs=j, random_state=0),
            digits,
        ),
        "large: 784-512-256-32 on MNIST (10000x784)": (
            lambda j: StackedAE(
                n_components=32,
                hidden_layer_sizes=(512, 256),
                max_iter=1,
                n_jobs=j,
                random_state=0,
            ),
            mnist,
        ),
    }
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads available\n")
    print("| model | load | 1 thread s/epoch | all threads | auto (n_jobs=None) | all / 1 |")
    print("|---|---|---:|---:|---:|---:|")
    for load in ("as is", "+1 busy process"):
        stop = mp.Event()
        burner = mp.Process(target=_burn, args=(stop,)) if load != "as is" else None
        if burner:
            burner.start()
            time.sleep(1.0)
        try:
            for name, (make, X) in cases.items():
                epoch_seconds(make, X, 1, 1)  # warm up torch's kernels and allocator
                t = {j: [] for j in (1, -1, None)}
                for _ in range(args.repeats):
                    for j in t:
                        t[j].append(epoch_seconds(make, X, j, 1))
                one, every, auto = (statistics.median(t[j]) for j in (1, -1, None))
                print(
                    f"| {name} | {load} | {one:.3f} | {every:.3f} | {auto:.3f} | "
                    f"{every / one:.2f} |",
                    flush=True,
                )
        finally:
            if burner:
                stop.set()
                burner.join()


if __name__ == "__main__":
    main()
