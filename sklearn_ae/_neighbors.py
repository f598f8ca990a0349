"""Parametric UMAP's loss term (``neighbor_loss="umap"``, deprecated).

The term makes the code keep each training row's nearest neighbours near
(Sainburg et al., 2021). The fuzzy neighbour graph is built once per fit from
the training rows (:meth:`NeighborLoss.bind`); each training batch then draws
a batch of graph edges with the fit's generator, encodes both ends with the
module being trained and adds UMAP's fuzzy cross-entropy: each edge attracted
by ``-log q(d)`` and pushed apart from ``NEGATIVE_RATE`` shuffled tails by
``-log(1 - q(d))``, with ``q(d) = 1 / (1 + a d^(2b))`` (``min_dist=0.1``).

``neighbor_loss="tsne"`` is :mod:`~sklearn_ae._tsne_map` (openTSNE's map,
distilled into the encoder), which replaced a contrastive t-SNE term that
shared this graph code (issue 22).
"""

import math

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.neighbors import NearestNeighbors

__all__ = [
    "NEIGHBOR_LEARNING_RATE",
    "NEIGHBOR_RATE_WIDTH",
    "NEIGHBOR_TOL",
    "NEIGHBOR_WEIGHT_AVERAGE",
    "NeighborLoss",
    "default_n_neighbors",
    "fuzzy_graph",
    "nearest_neighbors",
]

# UMAP's curve q(d) = 1 / (1 + a d^(2b)) fitted for min_dist=0.1, spread=1.0
# (the umap-learn defaults).
UMAP_A, UMAP_B = 1.577, 0.8951
NEGATIVE_RATE = 5
# Exact neighbours cost n^2 * n_features multiply-adds; above this (10k x 784
# MNIST is 8e10) the rows are first projected on their 50 main components.
_EXACT_BUDGET = 2e11
_PROJECTED_DIM = 50
# What learning_rate_init="auto" (StackedAE's default) means with a neighbour
# term: on digits, from the PCA start, 0.03 keeps 0.94 of held-out
# trustworthiness at the default stopping rule where 1e-3 reaches 0.84
# (benchmarks/RESULTS_neighbors.md).
NEIGHBOR_LEARNING_RATE = 0.03
# ... for a dense net at most this wide; a wider one gets the rate times
# NEIGHBOR_RATE_WIDTH / its widest layer (a (512, 256, 128) net: 0.0075).
NEIGHBOR_RATE_WIDTH = 128
# StackedAE's tol="auto" with the UMAP term: its loss keeps falling by a few
# 0.1 % an epoch while the map still improves. (The t-SNE map term stops on
# the general rule.)
NEIGHBOR_TOL = 1e-3
# Decay per step of the average of the weights a fit with the term ends with
# (~50 steps: a few epochs on digits, one on 10k MNIST rows).
NEIGHBOR_WEIGHT_AVERAGE = 0.98
# n_neighbors=None: umap-learn's 15.
_DEFAULT_N_NEIGHBORS = 15


def default_n_neighbors(n_neighbors):
    """``n_neighbors``, or UMAP's default where it is None."""
    return _DEFAULT_N_NEIGHBORS if n_neighbors is None else n_neighbors


def nearest_neighbors(X, n_neighbors, random_state=None):
    """Indices and Euclidean distances of each row's ``n_neighbors`` nearest other rows.

    Exact (brute force, BLAS) while affordable; larger data are first
    projected on 50 principal components (truncated SVD for sparse input),
    which keeps most neighbours of image-like data at a fraction of the cost
    (60k x 784 MNIST: seconds, not minutes).

    Returns
    -------
    indices, distances : ndarray of shape (n_samples, n_neighbors)
    """
    n, d = X.shape
    if n * n * d > _EXACT_BUDGET and d > _PROJECTED_DIM:
        reducer = (
            TruncatedSVD(_PROJECTED_DIM, random_state=random_state)
            if sp.issparse(X)
            else PCA(_PROJECTED_DIM, svd_solver="randomized", random_state=random_state)
        )
        X = reducer.fit_transform(X)
    nn = NearestNeighbors(n_neighbors=n_neighbors + 1, algorithm="brute").fit(X)
    distances, indices = nn.kneighbors(X)
    # Drop each row itself; a row with duplicates may not list itself first,
    # or at all (then its farthest neighbour goes).
    own = indices == np.arange(n)[:, None]
    own[~own.any(axis=1), -1] = True
    keep = ~own
    return indices[keep].reshape(n, n_neighbors), distances[keep].reshape(n, n_neighbors)


def _bisect(fn, target, n_rows, increasing, n_iter=64):
    """Per-row ``x > 0`` with ``fn(x) == target`` (``fn`` monotone in x), by bisection."""
    lo = np.zeros(n_rows)
    hi = np.full(n_rows, np.inf)
    x = np.ones(n_rows)
    for _ in range(n_iter):
        above = (fn(x) > target) == increasing
        hi = np.where(above, x, hi)
        lo = np.where(above, lo, x)
        x = np.where(np.isinf(hi), x * 2, (lo + hi) / 2)
    return x


def _symmetric(rows, cols, values, n):
    return sp.coo_matrix((values.ravel(), (rows.ravel(), cols.ravel())), shape=(n, n)).tocsr()


def fuzzy_graph(indices, distances):
    """UMAP's fuzzy simplicial set: ``w_ij = exp(-(d_ij - rho_i) / sigma_i)``, then fuzzy union.

    ``rho_i`` is the distance to the nearest distinct row, ``sigma_i`` makes
    each row's memberships sum to ``log2(k)``; the union
    ``W + W^T - W * W^T`` makes the graph symmetric.
    """
    n, k = indices.shape
    positive = np.where(distances > 0, distances, np.inf)
    rho = np.min(positive, axis=1)
    rho[np.isinf(rho)] = 0.0
    excess = np.maximum(distances - rho[:, None], 0.0)
    sigma = _bisect(
        lambda s: np.exp(-excess / s[:, None]).sum(axis=1), math.log2(k), n, increasing=True
    )
    # umap-learn's floor: a row of equidistant neighbours would get sigma -> 0.
    sigma = np.maximum(sigma, 1e-3 * distances.mean())
    weights = np.exp(-excess / sigma[:, None])
    W = _symmetric(np.repeat(np.arange(n), k), indices, weights, n)
    return (W + W.T - W.multiply(W.T)).tocoo()


class NeighborLoss:
    """``weight *`` UMAP's loss on batches of edges of the training rows' graph.

    A loss term ``term(module, x_in, out) -> scalar`` as in
    :mod:`~sklearn_ae._penalties`, which also needs the training rows: the
    estimator calls :meth:`bind` before training and :meth:`release` after,
    so a fitted model holds neither the rows nor the graph. ``generator`` is
    set by the training loop (the fit's own random stream).

    Parameters
    ----------
    weight : float
        Multiplies the loss, a mean over edges of a few units at the start
        of training.
    n_neighbors : int
        Neighbours per row in the graph.
    edges_per_row : float
        Edges drawn per row of the training batch.
    """

    generator = None

    def __init__(self, weight, n_neighbors, edges_per_row=2.0):
        self.weight = weight
        self.n_neighbors = n_neighbors
        self.edges_per_row = edges_per_row
        self.release()

    def release(self):
        """Forget the training rows and the graph (after training)."""
        self.data_ = self.heads_ = self.tails_ = self.cdf_ = None

    def bind(self, data, random_state=None):
        """Build the graph of ``data`` (a ``RowData``) and keep both for training."""
        X = data.flat_array()
        n = X.shape[0]
        if self.n_neighbors >= n:
            raise ValueError(
                f"n_neighbors={self.n_neighbors} must be below the number of training "
                f"samples ({n}): pass a smaller n_neighbors or more samples."
            )
        indices, distances = nearest_neighbors(X, self.n_neighbors, random_state)
        graph = fuzzy_graph(indices, distances)
        device = data.device
        cdf = np.cumsum(graph.data, dtype=np.float64)
        self.cdf_ = torch.as_tensor(cdf / cdf[-1], device=device)
        self.heads_ = torch.as_tensor(graph.row, dtype=torch.long, device=device)
        self.tails_ = torch.as_tensor(graph.col, dtype=torch.long, device=device)
        self.data_ = data

    def _edges(self, n_edges):
        """Rows of ``n_edges`` edges drawn in proportion to their weights."""
        gen = self.generator
        device = self.cdf_.device
        u = torch.rand(
            n_edges,
            generator=gen,
            dtype=torch.float64,
            device=device if gen is None else gen.device,
        ).to(device)
        edge = torch.searchsorted(self.cdf_, u).clamp_(max=len(self.cdf_) - 1)
        return self.data_.take(self.heads_[edge]), self.data_.take(self.tails_[edge])

    def __call__(self, module, x_in, out):
        if self.data_ is None or not module.training:
            # Validation batches (early stopping) are scored on reconstruction.
            return out["recon"].new_zeros(())
        n_edges = max(2, round(self.edges_per_row * x_in.shape[0]))
        heads, tails = self._edges(n_edges)
        codes = module.encode(torch.cat([heads, tails]).to(x_in.dtype))
        zh, zt = codes[:n_edges], codes[n_edges:]
        return self.weight * self._umap(zh, zt)

    def _umap(self, zh, zt):
        def log_w(d2):  # log(a d^(2b)); the floor keeps coincident codes finite
            return math.log(UMAP_A) + UMAP_B * torch.log(d2 + 1e-3)

        attract = torch.nn.functional.softplus(log_w((zh - zt).pow(2).sum(1)))  # -log q
        gen, n = self.generator, zh.shape[0]
        device = zh.device if gen is None else gen.device
        order = torch.stack(
            [torch.randperm(n, generator=gen, device=device) for _ in range(NEGATIVE_RATE)]
        ).to(zh.device)
        d2 = (zh.unsqueeze(0) - zt[order]).pow(2).sum(2)
        repel = torch.nn.functional.softplus(-log_w(d2))  # -log(1 - q)
        return attract.mean() + repel.sum(0).mean()
