"""What ``neighbor_loss="tsne"`` changes in an estimator's transforms.

A fitted model with the map holds openTSNE's map of its training rows
(``neighbor_map_``) and that map at unit spread (``embedding_``): with
``neighbor_transform="opentsne"``, ``fit_transform`` returns the map, as
scikit-learn's ``TSNE`` and umap-learn do, and ``transform`` places rows on
it as openTSNE does (:func:`~sklearn_ae._tsne_map.place_on_map`).
"""

import numpy as np
from sklearn.base import TransformerMixin

from ._tsne_map import place_on_map

__all__ = ["NeighborMapMixin"]


class NeighborMapMixin(TransformerMixin):
    """``fit_transform`` and the placement of rows on the map, for :class:`BaseAutoencoder`.

    A TransformerMixin, so that scikit-learn wraps this ``fit_transform`` for
    ``set_output`` as it wraps the methods its own subclasses define.
    """

    def _places_with_opentsne(self):
        if self.neighbor_transform != "opentsne" or not hasattr(self, "embedding_"):
            return False
        if not hasattr(self, "neighbor_map_"):  # loaded from a skops file
            raise ValueError(
                f"This {type(self).__name__} holds no index of its training rows (a skops "
                "file keeps the encoder only), so it cannot place rows on its map: set "
                "neighbor_transform='encoder'."
            )
        return True

    def fit_transform(self, X, y=None, **fit_params):
        """Fit to ``X``, then return its codes.

        With ``neighbor_loss="tsne"`` these are the training rows' places on
        the t-SNE map (``embedding_``), as for scikit-learn's ``TSNE`` and
        umap-learn's ``UMAP``; :meth:`transform` places rows among them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : Ignored
        **fit_params : dict
            Passed to :meth:`fit` (``X_val``).

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
        """
        if self.neighbor_loss != "tsne" or self.neighbor_transform != "opentsne":
            return super().fit_transform(X, y, **fit_params)
        self.fit(X, y, **fit_params)
        dtype = X.dtype if getattr(X, "dtype", None) in (np.float32, np.float64) else np.float64
        return self.embedding_.astype(dtype)

    def _placed_on_map(self, X):
        """The places of validated rows ``X`` (any shape, or CSR) on the training rows' map."""
        flat = X.reshape(len(X), -1) if isinstance(X, np.ndarray) else X
        return place_on_map(self.neighbor_map_, flat).astype(X.dtype)
