"""Principal axes of the training rows, to start a dense autoencoder as PCA.

Starting from PCA's solution (see ``DenseAutoencoder.init_from_pca``) means
training can only add what a linear map misses: the defaults then never end
far above PCA's error, and at full rank they start exact.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
import torch
from scipy.sparse.linalg import LinearOperator

from ._data import evenly_spaced_rows

__all__ = ["PCAStart", "principal_axes"]

# Rows the axes are computed from: evenly spaced beyond this. The leading axes
# of 20,000 MNIST rows are those of all 60,000 to within a degree.
MAX_ROWS = 20_000
# Samples up to this many multiply-adds in their scatter matrix take it in float64.
SMALL_PRODUCTS = 2**28
# Up to this many features the covariance matrix is decomposed exactly;
# wider (bag-of-words) data goes through a randomized SVD.
MAX_EXACT_FEATURES = 2048


class PCAStart(NamedTuple):
    """What :meth:`DenseAutoencoder.init_from_pca` needs (torch tensors, float64)."""

    mean: torch.Tensor  # (n_features,)
    components: torch.Tensor  # (n_axes, n_features), orthonormal rows, largest variance first
    extent: torch.Tensor  # (n_axes,), the largest |principal score| of a sampled row
    spread: torch.Tensor  # (n_axes,), the principal scores' standard deviation


def _sample(data):
    """At most ``MAX_ROWS`` rows of a ``RowData``: float64 CSR for sparse data, an array else."""
    if data.sparse is not None:
        return data.sparse[evenly_spaced_rows(len(data), MAX_ROWS)].astype(np.float64)
    return data.evenly_spaced(MAX_ROWS).detach().flatten(1).cpu().numpy()


def _products_dtype(X):
    """float64 for the products of a small sample, else the sample's own (float32) dtype.

    The start then costs a few per cent of a short fit on 60,000 MNIST rows
    (issue 23): float32 halves the scatter matrix's cost, and the axes it
    gives are those of float64 to about 1e-5, which training absorbs.
    """
    n_samples, n_features = X.shape
    small = n_samples * n_features**2 <= SMALL_PRODUCTS
    return np.float64 if small or sp.issparse(X) else X.dtype


def _product(a, b):
    """``a @ b`` through torch, which runs on the fit's threads (numpy's BLAS on all cores)."""
    return (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()


def _centred(X, mean):
    """``X - mean``: an array for dense ``X``, an operator for sparse ``X`` (never densified)."""
    if not sp.issparse(X):
        return X - mean
    offset, XT = mean[None, :], X.T.tocsr()
    return LinearOperator(
        shape=X.shape,
        dtype=X.dtype,
        matvec=lambda v: X @ v - offset @ v,
        matmat=lambda v: X @ v - offset @ v,
        rmatvec=lambda v: XT @ v - offset[0] * v.sum(),
        rmatmat=lambda v: XT @ v - offset.T @ v.sum(axis=0)[None, :],
    )


def principal_axes(data, n_components, seed=None):
    """Mean, leading principal axes and score extent of the rows of ``data``.

    Sparse rows are centred implicitly (as scikit-learn's PCA does for
    sparse input), so the same data as CSR or dense give the same start.

    Parameters
    ----------
    data : RowData
        The training rows (dense on any device, or CSR).
    n_components : int
        Axes wanted; fewer come back where the sample has lower rank
        (fewer rows or features than ``n_components``).
    seed : int or None
        Seeds the randomized SVD of wide data.

    Returns
    -------
    start : PCAStart
    """
    X = _sample(data)
    mean, components = _axes(X, n_components, seed)
    scores = _scores(X, mean, components)
    extent, spread = np.abs(scores).max(axis=0), scores.std(axis=0)
    return PCAStart(
        *(torch.from_numpy(np.ascontiguousarray(a)) for a in (mean, components, extent, spread))
    )


def _randomized_axes(A, n_axes, seed, n_oversamples=10, n_iter=5):
    """Leading right singular vectors of ``A`` (array or operator), Halko et al.'s way.

    A randomized range finder with ``n_iter`` QR-normalised power iterations
    (as TruncatedSVD's defaults), written with products only, so that the
    implicitly centred sparse operator and the dense array follow the same
    arithmetic.
    """
    rng = np.random.default_rng(seed)
    Q = _orthonormal(A @ rng.standard_normal((A.shape[1], n_axes + n_oversamples)))
    for _ in range(n_iter):
        Q = _orthonormal(A @ _orthonormal(A.T @ Q))
    B = torch.from_numpy(np.ascontiguousarray((A.T @ Q).T))
    return torch.linalg.svd(B, full_matrices=False)[2][:n_axes].numpy()


def _orthonormal(M):
    """An orthonormal basis of the columns of ``M`` (torch's LAPACK: the fit's threads)."""
    return torch.linalg.qr(torch.from_numpy(np.ascontiguousarray(M)))[0].numpy()


def _scores(X, mean, components):
    """Principal scores of the rows of ``X`` (CSR or array), float64."""
    if sp.issparse(X):
        return np.asarray(X @ components.T) - mean @ components.T
    dtype = _products_dtype(X)
    centred = np.asarray(X, dtype) - mean.astype(dtype)
    return _product(centred, components.T.astype(dtype)).astype(np.float64)


def _axes(X, n_components, seed):
    """Mean and principal axes (float64 arrays) of the sample ``X`` (CSR or array)."""
    n_samples, n_features = X.shape
    mean = np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()
    n_axes = min(n_components, n_features, max(n_samples - 1, 1))
    if n_features > MAX_EXACT_FEATURES:
        dense = X if sp.issparse(X) else X.astype(np.float64)
        components = _randomized_axes(_centred(dense, mean), n_axes, seed)
    else:
        if sp.issparse(X):
            # (X - 1 mean)^T (X - 1 mean) without forming X - 1 mean.
            scatter = (X.T @ X).toarray() - n_samples * np.outer(mean, mean)
        else:
            dtype = _products_dtype(X)
            centred = np.asarray(X, dtype) - mean.astype(dtype)
            scatter = _product(centred.T, centred).astype(np.float64)
        # torch's eigh runs on the fit's threads; numpy's LAPACK takes every
        # core, which on a busy machine made the start cost more than the fit.
        eigenvectors = torch.linalg.eigh(torch.from_numpy(scatter))[1].numpy()
        components = eigenvectors[:, ::-1][:, :n_axes].T
    # Constant features have no part in any axis. Rounding would leave ~1e-17
    # there, which Adam (steps of about the learning rate whatever the
    # gradient's size) turns into drift of the feature's reconstruction: the
    # same data as CSR and dense would then train apart.
    low, high = X.min(axis=0), X.max(axis=0)
    if sp.issparse(X):
        low, high = low.toarray().ravel(), high.toarray().ravel()
    components = np.where(high == low, 0.0, components)
    # A sign convention (largest entry positive) so that equal data give equal codes.
    signs = np.sign(components[np.arange(len(components)), np.abs(components).argmax(axis=1)])
    return mean, components * np.where(signs == 0, 1.0, signs)[:, None]


def pca_residual_variance(data, n_components, seed=None):
    """Per-feature mean squared error of PCA with ``n_components`` axes on ``data``'s rows.

    Also returns the per-feature variance of the rows (the error of their mean).
    """
    X = _sample(data)
    mean, components = _axes(X, n_components, seed)
    n_samples, n_features = X.shape
    if sp.issparse(X):
        total = float(X.multiply(X).sum() / n_samples - mean @ mean)
    else:
        total = float(((X - mean) ** 2).sum() / n_samples)
    scores = _scores(X, mean, components)
    explained = float((scores**2).sum() / n_samples)
    return max(total - explained, 0.0) / n_features, total / n_features
