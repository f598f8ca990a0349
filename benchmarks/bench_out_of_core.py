"""Out-of-core training: a float32 memmap of 1M x 784 rows, block by block.

Writes MNIST's training images (in [0, 1], tiled with a little noise to
``--rows`` rows) to a ``.npy`` memmap in ``--tmp`` (3.1 GB for 1M rows),
opens it read-only and trains a small ``StackedAE`` for one epoch with
``partial_fit`` over ``sklearn_ae.utils.iter_chunks`` blocks, under an
RLIMIT_DATA cap of ``--budget-mb`` MiB above what the process holds before
training (an allocation beyond it fails, so finishing proves the bound). The
file is deleted at the end.

Reported: peak private (anonymous) memory growth during training, sampled
every 20 ms from /proc/self/status, and the peak resident set (VmHWM), which
also counts the memmap's file-backed pages: those are page cache the kernel
can drop, not memory the fit holds. Both count from the start of training.
Then the test-set MSE, against PCA's.

Usage (from the repository root)::

    python benchmarks/bench_out_of_core.py --data-home ../shared/data
"""

import argparse
import os
import resource
import tempfile
import threading
import time

import numpy as np
import torch
from sklearn.decomposition import PCA

from sklearn_ae import StackedAE
from sklearn_ae.datasets import fetch_mnist
from sklearn_ae.utils import iter_chunks


def status_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


class PeakSampler(threading.Thread):
    """Highest RssAnon seen, sampled in the background."""

    def __init__(self, every=0.02):
        super().__init__(daemon=True)
        self.every, self.peak_kib, self.done = every, status_kib("RssAnon"), threading.Event()

    def run(self):
        while not self.done.wait(self.every):
            self.peak_kib = max(self.peak_kib, status_kib("RssAnon"))


def write_memmap(path, X, n_rows, seed=0):
    rng = np.random.default_rng(seed)
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n_rows, X.shape[1]))
    for start in range(0, n_rows, len(X)):
        stop = min(start + len(X), n_rows)
        block = X[: stop - start] + rng.normal(0, 0.02, (stop - start, X.shape[1]))
        out[start:stop] = np.clip(block, 0, 1)
    out.flush()
    del out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default="../shared/data")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--budget-mb", type=int, default=256)
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    X_train, _ = fetch_mnist(data_home=args.data_home, return_X_y=True)
    X_test, _ = fetch_mnist(data_home=args.data_home, subset="test", return_X_y=True)
    fd, path = tempfile.mkstemp(suffix=".npy", dir=args.tmp)
    os.close(fd)
    try:
        start = time.perf_counter()
        write_memmap(path, X_train, args.rows)
        write_s = time.perf_counter() - start
        X = np.load(path, mmap_mode="r")
        del X_train

        def model():
            return StackedAE(n_components=16, hidden_layer_sizes=(64,), random_state=0)

        model().partial_fit(X[: args.chunk])  # one-off allocations, before the cap
        base_kib = status_kib("RssAnon")
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # VmHWM restarts from here: training's peak, not loading's
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        cap = status_kib("VmData") * 1024 + args.budget_mb * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
        sampler = PeakSampler()
        sampler.start()
        ae = model()
        start = time.perf_counter()
        for block in iter_chunks(X, args.chunk):
            ae.partial_fit(block)
        train_s = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        resource.setrlimit(resource.RLIMIT_DATA, (hard, hard))

        mse = float(((ae.reconstruct(X_test) - X_test) ** 2).mean())
        pca = PCA(16).fit(X[:60_000])
        pca_mse = float(((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2).mean())
        print(f"rows {args.rows} x {X.shape[1]} float32 memmap: {X.nbytes / 2**30:.2f} GiB")
        print(f"written in {write_s:.1f} s; 1 epoch in blocks of {args.chunk}: {train_s:.1f} s")
        print(f"RLIMIT_DATA cap: {args.budget_mb} MiB above the start of training (held)")
        print(f"peak private memory growth: {(sampler.peak_kib - base_kib) / 1024:.0f} MiB")
        print(
            f"peak resident set (VmHWM, incl. page cache of the memmap): "
            f"{status_kib('VmHWM') / 1024:.0f} MiB"
        )
        print(f"test MSE after 1 epoch: {mse:.4f} (PCA(16) on 60k rows: {pca_mse:.4f})")
    finally:
        os.remove(path)


if __name__ == "__main__":
    main()
