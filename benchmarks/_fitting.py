"""What several benchmarks do with each model: fit it for its whole budget, time it, score it."""

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning


def fit_and_score(model, X_train, X_test):
    """Fit ``model`` for its whole budget; return its test MSE, train MSE and seconds."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train)
    seconds = time.perf_counter() - start
    test_mse = np.mean((model.reconstruct(X_test) - X_test) ** 2)
    train_mse = np.mean((model.reconstruct(X_train) - X_train) ** 2)
    return test_mse, train_mse, seconds


def fit_recording_warnings(model, X_train):
    """Fit ``model``; return its seconds and the sorted names of the warnings it raised.

    Deprecation warnings are left out; every ConvergenceWarning is named as such.
    """
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X_train)
    seconds = time.perf_counter() - start
    names = {
        "ConvergenceWarning" if issubclass(w.category, ConvergenceWarning) else w.category.__name__
        for w in caught
        if not issubclass(w.category, DeprecationWarning)
    }
    return seconds, sorted(names)
