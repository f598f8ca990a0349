"""The measurements of ``bench_defaults_matrix.py``: errors, a recorded fit, contraction, noise."""

import time
import warnings

import numpy as np
import torch
from sklearn.base import clone
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


def contraction_at_mse(model, X_train, X_test, target_mse, start, steps=4):
    """The least contraction ``model``'s family reaches at test error up to ``target_mse``.

    A model that reconstructs worse contracts more for free (a constant code
    does not move at all), so two models' contractions compare only at one
    error. ``model`` (fitted, its error below the target) is refitted at its
    weight doubled, up to ``steps`` times or until its error crosses the
    target (log-contraction interpolated in log-error there); the answer is
    the least contraction among the fits within the target. ``start``:
    ``model``'s own (error, contraction). Also returns the fits' (weight
    factor, error, contraction).
    """
    weight = model.contractive_weight
    points = [(1.0, *start)]
    within = [start[1]]
    for step in range(1, steps + 1):
        refit = clone(model).set_params(contractive_weight=weight * 2**step)
        if not fit(refit, X_train)[2]:
            break
        points.append(
            (2.0**step, mse(refit.reconstruct(X_test), X_test), contraction(refit, X_test))
        )
        (_, e0, c0), (_, e1, c1) = points[-2:]
        if e1 <= target_mse:
            within.append(c1)
            continue
        t = np.log(target_mse / e0) / np.log(e1 / e0)
        within.append(float(np.exp(np.log(c0) + t * np.log(c1 / c0))))
        break
    return min(within), points
