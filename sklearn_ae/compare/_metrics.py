"""The quality and cost measures of the comparison, each on held-out test rows."""

import contextlib
import resource
import sys
import time
import tracemalloc

import numpy as np
from sklearn.manifold import trustworthiness
from sklearn.neighbors import KNeighborsClassifier

__all__ = ["knn_accuracy", "measure", "reconstruction_mse", "trustworthiness_2d"]

# ru_maxrss is in KiB on Linux and in bytes on macOS.
_RSS_UNIT = 1 if sys.platform == "darwin" else 1024


def reconstruction_mse(X, X_hat):
    """Mean squared error per pixel (per feature), averaged over rows and features."""
    diff = np.asarray(X, dtype=np.float64) - np.asarray(X_hat, dtype=np.float64)
    return float(np.mean(diff**2))


def trustworthiness_2d(X, Z, n_neighbors=5):
    """Trustworthiness of the map ``Z`` of ``X``: how many map neighbours are real ones.

    1.0 means every point's ``n_neighbors`` nearest neighbours in the map are
    among its nearest neighbours in the input space (Venna and Kaski, 2001).
    """
    return float(trustworthiness(X, Z, n_neighbors=n_neighbors))


def knn_accuracy(Z_train, y_train, Z_test, y_test, n_neighbors=5):
    """Accuracy of a k-NN classifier fit on training codes, applied to test codes.

    A code that keeps classes apart scores high without any label having been
    used to learn it.
    """
    clf = KNeighborsClassifier(n_neighbors=n_neighbors).fit(Z_train, y_train)
    return float(clf.score(Z_test, y_test))


class Measurement:
    """Filled by :func:`measure`: ``seconds``, ``python_peak_mb``, ``rss_growth_mb``."""

    seconds = python_peak_mb = rss_growth_mb = gpu_peak_mb = None


@contextlib.contextmanager
def measure(cuda=False):
    """Time a block and record the memory it needed.

    ``python_peak_mb`` is the peak of memory allocated through Python's
    allocators during the block (:mod:`tracemalloc`): numpy arrays and Python
    objects, but not torch's own CPU tensors. ``rss_growth_mb`` is how much the
    process's resident-set high-water mark rose (``getrusage`` max RSS): it
    counts everything, torch included, but only what goes beyond the largest
    footprint the process had before, so it depends on what ran earlier.
    With ``cuda=True``, ``gpu_peak_mb`` is ``torch.cuda.max_memory_allocated``.
    """
    result = Measurement()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if cuda:
        import torch

        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - start
        result.python_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        if not was_tracing:
            tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result.rss_growth_mb = (rss_after - rss_before) * _RSS_UNIT / 2**20
        if cuda:
            import torch

            result.gpu_peak_mb = torch.cuda.max_memory_allocated() / 2**20
