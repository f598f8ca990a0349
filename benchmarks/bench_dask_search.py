"""Grid search on a local Dask cluster against the same search in one process.

``GridSearchCV(StackedAE(), ..., n_jobs=-1)`` under
``joblib.parallel_backend("dask")`` with a ``distributed.LocalCluster`` of
``--workers`` single-threaded worker processes, against ``n_jobs=1`` in this
process (one torch thread), in the same run. The cluster's start (and the
workers' first import of torch) is timed apart from the search.

Usage (from the repository root)::

    python benchmarks/bench_dask_search.py
"""

import argparse
import time
import warnings

import torch
from distributed import Client, LocalCluster
from joblib import parallel_backend
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sklearn_ae import StackedAE


def search(n_jobs):
    return GridSearchCV(
        StackedAE(hidden_layer_sizes=(64,), max_iter=20, random_state=0),
        {"n_components": [2, 4, 8, 16], "learning_rate_init": [1e-3, 1e-2]},
        cv=3,
        n_jobs=n_jobs,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # short fits, by design
    torch.set_num_threads(1)
    X = load_digits().data / 16

    start = time.perf_counter()
    local = search(1).fit(X)
    local_s = time.perf_counter() - start

    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: __import__("sklearn_ae") and None)
        startup_s = time.perf_counter() - start
        start = time.perf_counter()
        with parallel_backend("dask"):
            remote = search(-1).fit(X)
        dask_s = time.perf_counter() - start
    n_fits = len(local.cv_results_["params"]) * 3
    print(f"{n_fits} fits; n_jobs=1 here: {local_s:.1f} s")
    print(f"Dask, {args.workers} workers x 1 thread: {dask_s:.1f} s (+ {startup_s:.1f} s start)")
    print(
        f"speed-up {local_s / dask_s:.2f}x; same best params: "
        f"{remote.best_params_ == local.best_params_} ({remote.best_params_})"
    )


if __name__ == "__main__":
    main()
