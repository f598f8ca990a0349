"""Principal axes of the training rows, to start a dense autoencoder as PCA.

Starting from PCA's solution (see ``DenseAutoencoder.init_from_pca``) means
training can only add what a linear map misses: the defaults then never end
far above PCA's error, and at full rank they start exact.
"""

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils.extmath import randomized_svd

__all__ = ["principal_axes"]

# Rows the axes are computed from: evenly spaced beyond this. The leading axes
# of 20,000 MNIST rows are those of all 60,000 to within a degree.
MAX_ROWS = 20_000
# Up to this many features the covariance matrix is decomposed exactly;
# wider (bag-of-words) data goes through a randomized SVD.
MAX_EXACT_FEATURES = 2048


def _sample(data):
    """At most ``MAX_ROWS`` rows of a ``RowData``: CSR for sparse data, float64 array else."""
    if data.sparse is not None:
        step = max(1, -(-len(data) // MAX_ROWS))
        return data.sparse[::step].astype(np.float64)
    rows = data.evenly_spaced(MAX_ROWS)
    return rows.detach().flatten(1).cpu().double().numpy()


def principal_axes(data, n_components, seed=None):
    """Mean and leading principal axes of the rows of ``data``.

    For sparse ``data`` the mean is zero and the axes are the leading right
    singular vectors of the rows themselves (TruncatedSVD's, LSA's).

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
    mean : torch.Tensor of shape (n_features,)
        Zero for sparse data.
    components : torch.Tensor of shape (n_axes, n_features)
        Orthonormal rows, largest variance first, float64.
    """
    return _axes(_sample(data), n_components, seed)


def _axes(X, n_components, seed):
    """``principal_axes`` of the sample ``X`` (CSR or float64 array)."""
    # Sparse rows (bag-of-words) are not centred, as TruncatedSVD leaves
    # them for latent semantic analysis: the start's codes are LSA's.
    mean = np.zeros(X.shape[1]) if sp.issparse(X) else X.mean(axis=0)
    n_samples, n_features = X.shape
    n_axes = min(n_components, n_features, max(n_samples - 1, 1))
    if sp.issparse(X) or n_features > MAX_EXACT_FEATURES:
        # Sparse rows have a zero mean here; dense wide ones are centred first.
        rows = X if sp.issparse(X) else X - mean
        _, _, components = randomized_svd(
            rows, n_axes, n_iter=5, power_iteration_normalizer="QR", random_state=seed
        )
    else:
        centred = X - mean
        _, eigenvectors = np.linalg.eigh(centred.T @ centred)
        components = eigenvectors[:, ::-1][:, :n_axes].T
    # A sign convention (largest entry positive) so that equal data give equal codes.
    signs = np.sign(components[np.arange(len(components)), np.abs(components).argmax(axis=1)])
    components = components * np.where(signs == 0, 1.0, signs)[:, None]
    return torch.from_numpy(mean), torch.from_numpy(np.ascontiguousarray(components))


def pca_residual_variance(data, n_components, seed=None):
    """Per-feature mean squared error of PCA with ``n_components`` axes on ``data``'s rows.

    Also returns the per-feature variance of the rows (the error of their mean).
    """
    X = _sample(data)
    mean, components = _axes(X, n_components, seed)
    mean, components = mean.numpy(), components.numpy()
    n_samples, n_features = X.shape
    if sp.issparse(X):
        total = float(X.multiply(X).sum() / X.shape[0] - mean @ mean)
        scores = X @ components.T - mean @ components.T
    else:
        centred = X - mean
        total = float((centred**2).sum() / n_samples)
        scores = centred @ components.T
    explained = float((np.asarray(scores) ** 2).sum() / n_samples)
    return max(total - explained, 0.0) / n_features, total / n_features
