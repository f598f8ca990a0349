"""The measurements of ``bench_defaults_matrix.py``: errors, a recorded fit, contraction, noise."""

import time
import warnings

import numpy as np
import torch
from sklearn.decomposition import PCA, TruncatedSVD


def mse(a, b):
    a = a.toarray() if hasattr(a, "toarray") else a
    b = b.toarray() if hasattr(b, "toarray") else b
    return float(np.nanmean((np.asarray(a, np.float64) - b) ** 2))


def pca_mse(X_train, X_test, k):
    if hasattr(X_train, "toarray"):
        svd = TruncatedSVD(k, random_state=0).fit(X_train)
        return mse(svd.inverse_transform(svd.transform(X_test)), X_test)
    pca = PCA(k, random_state=0).fit(X_train)
    return mse(pca.inverse_transform(pca.transform(X_test)), X_test)


def fit(model, X):
    """Fit; return (seconds, warnings as 'Class: start of message')."""
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        error = None
        try:
            model.fit(X)
        except Exception as exc:  # recorded: a failed default fit is a finding
            error = f"{type(exc).__name__}: {str(exc)[:70]}"
    seconds = time.perf_counter() - start
    flags = sorted(
        {
            f"{w.category.__name__}: {str(w.message)[:50]}"
            for w in caught
            if not issubclass(w.category, DeprecationWarning)
        }
    )
    if error:
        flags.insert(0, error)
    return seconds, flags, error is None


def contraction(model, X):
    """RMS Frobenius norm of the encoder's Jacobian over rows of ``X``, over the code's spread."""
    module = model.module_.eval()
    x = torch.as_tensor(np.asarray(X[:200], np.float32))
    jac = torch.func.vmap(torch.func.jacrev(lambda r: module.encode(r[None])[0]))(x)
    with torch.no_grad():
        codes = module.encode(x)
    spread = float(codes.var(dim=0).sum().sqrt())
    return float(jac.pow(2).sum(dim=(1, 2)).mean().sqrt()) / max(spread, 1e-12)


def corrupt(X, noise, rng):
    X = X.toarray() if hasattr(X, "toarray") else X
    if noise == "gaussian":
        return X + 0.3 * rng.standard_normal(X.shape).astype(X.dtype)
    return X * (rng.random(X.shape) >= 0.25)
