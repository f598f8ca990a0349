"""``neighbor_loss="tsne"``: openTSNE's map of the training rows, distilled into the encoder.

The map is openTSNE's (Poličar et al., 2024): perplexity-calibrated
affinities on an approximate neighbour graph, a PCA-initialised map, early
exaggeration 12 for 250 iterations, FFT-accelerated gradients. A parametric
t-SNE term trained through the network does not get there: on 16k tabular
rows its map of the training rows themselves stayed at 0.906 trustworthiness
where openTSNE's reaches 0.994 (issue 22, ``benchmarks/RESULTS_neighbors.md``).
So the engine makes the map, and the encoder learns it as one more loss term
(:class:`TSNEMap`, the squared distance of each code to its row's place on
the map), beside reconstruction, so that the decoder inverts it.

New rows are then placed the way openTSNE places them (:func:`place_on_map`),
among the training rows' map; the encoder alone is the fast, exportable
alternative (``neighbor_transform="encoder"``).
"""

import warnings

import numpy as np
import scipy.sparse as sp
import torch

__all__ = ["TSNE_LEARNING_RATE", "TSNEMap", "default_perplexity", "place_on_map"]

# What learning_rate_init="auto" means with the term (a net at most 128
# wide; wider ones get less, see StackedAE): the encoder trained towards the
# unit-spread map at 3e-3 reached training-row trustworthiness 0.978-0.985 on
# two digits splits and 0.991 on pen-digits; at 0.03 it stalled on one split
# (0.83, warned), at 1e-3 it ran to max_iter (RESULTS_neighbors.md).
TSNE_LEARNING_RATE = 3e-3
# openTSNE's default perplexity; smaller data get at most a third of their
# rows as effective neighbours, as t-SNE builds the graph on 3 * perplexity.
_PERPLEXITY = 30.0


def default_perplexity(n_neighbors, n_samples):
    """The perplexity a fit uses: ``n_neighbors / 3``, or openTSNE's 30, within the data."""
    perplexity = _PERPLEXITY if n_neighbors is None else n_neighbors / 3.0
    return max(1.0, min(perplexity, (n_samples - 1) / 3.0))


def _import_opentsne():
    try:
        import openTSNE
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "neighbor_loss='tsne' places the training rows with openTSNE, which is not "
            'installed: pip install openTSNE (or pip install "sklearn-ae[neighbors]").'
        ) from exc
    return openTSNE


class TSNEMap:
    """``weight *`` the mean squared distance of each code to its row's place on the t-SNE map.

    A loss term ``term(module, x_in, out) -> scalar`` as in
    :mod:`~sklearn_ae._penalties` that needs the whole training set: the
    estimator calls :meth:`bind` before training (which runs openTSNE on the
    rows) and :meth:`release` after; ``map_`` (openTSNE's ``TSNEEmbedding``)
    outlives :meth:`release`, for the estimator to keep. ``generator`` is set
    by the training loop.

    The codes are the map at unit spread (openTSNE's places divided by their
    standard deviation, tens of units): a decoder fed codes of that size
    trains as on any other (pen-digits: 0.022 reconstruction error against
    0.052 on the raw map), and the term starts near ``weight`` whatever the
    map's extent.
    """

    generator = None

    def __init__(self, weight, n_neighbors, n_jobs=None):
        self.weight = weight
        self.n_neighbors = n_neighbors
        self.n_jobs = n_jobs
        self.map_ = None
        self.release()

    def release(self):
        """Forget the training rows and the target (after training); keep ``map_``."""
        self.data_ = self.target_ = None

    def bind(self, data, random_state=None):
        """Place ``data``'s rows with openTSNE and keep the rows and their places for training."""
        openTSNE = _import_opentsne()
        X = data.flat_array()
        X = X if sp.issparse(X) else X.astype(np.float64)
        n_jobs = 1 if self.n_jobs is None else self.n_jobs
        # openTSNE's PCA start needs a dense matrix; a spectral one works on any.
        initialization = "spectral" if sp.issparse(X) else "pca"
        tsne = openTSNE.TSNE(
            perplexity=default_perplexity(self.n_neighbors, X.shape[0]),
            initialization=initialization,
            n_jobs=n_jobs,
            random_state=random_state,
        )
        with warnings.catch_warnings():
            # openTSNE 1.0 asks users to report pynndescent's metric list
            # (sparse input): nothing a user of ours can act on.
            warnings.filterwarnings("ignore", message=".*pynndescent. has recently changed")
            self.map_ = tsne.fit(X)
        # openTSNE (1.0.4) translates the training rows' map in place on its
        # first transform (by 3 units on digits), then never again: done here,
        # so that embedding_, fit_transform and every transform share a frame.
        self.map_.transform(X[:2])
        self.target_ = torch.as_tensor(unit_map(self.map_), dtype=torch.float32).to(data.device)
        self.data_ = data

    def __call__(self, module, x_in, out):
        if self.data_ is None or not module.training:
            # Validation batches (early stopping) are scored on reconstruction.
            return out["recon"].new_zeros(())
        gen = self.generator
        n = len(self.target_)
        device = self.target_.device if gen is None else gen.device
        rows = torch.randint(n, (x_in.shape[0],), generator=gen, device=device)
        rows = rows.to(self.target_.device)
        codes = module.encode(self.data_.take(rows).to(x_in.dtype))
        target = self.target_[rows].to(codes.dtype)
        return self.weight * (codes - target).pow(2).sum(1).mean()


def map_scale(tsne_map):
    """The spread of openTSNE's map (tens of units), which the codes are divided by."""
    return float(np.asarray(tsne_map).std()) or 1.0


def unit_map(tsne_map):
    """openTSNE's map of the training rows at unit spread: the codes the encoder learns."""
    return np.array(tsne_map, dtype=np.float64) / map_scale(tsne_map)


def place_on_map(tsne_map, X):
    """Places of new rows ``X`` among the training rows' map, at the codes' unit spread.

    openTSNE's ``transform``: each row starts at the median place of its 25
    nearest training rows, then takes t-SNE gradient steps against its
    affinities to them (perplexity 5) with the training rows' places held
    fixed. Starting from the encoder's codes instead was worse where the
    encoder generalises less well than that placement (10k MNIST rows:
    held-out trustworthiness 0.928 against 0.947; RESULTS_neighbors.md).
    """
    X = X if sp.issparse(X) else np.nan_to_num(np.asarray(X, dtype=np.float64))
    return np.asarray(tsne_map.transform(X)) / map_scale(tsne_map)
