"""Decoded images along a grid of codes: a latent traversal or a manifold grid."""

import math

import numpy as np

from ._base import get_axes, image_rows, infer_image_shape, tile

__all__ = ["LatentTraversalDisplay"]


class LatentTraversalDisplay:
    """Images decoded from codes that vary along one or two code dimensions.

    Two dimensions give the "manifold" grid of a 2-d variational autoencoder;
    one gives a traversal row. Use :meth:`from_estimator` to create one.

    Parameters
    ----------
    images : ndarray of shape (n_rows, n_cols, H, W)
        Decoded images; row ``i`` column ``j`` decodes the code with
        ``values[1][i]`` in dimension ``dims[1]`` and ``values[0][j]`` in
        ``dims[0]``.
    values : list of ndarray
        The code values along each traversed dimension.
    dims : tuple of int
        The traversed code dimensions.
    estimator_name : str, default=None

    Attributes
    ----------
    image_ : matplotlib AxesImage
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, images, values, *, dims=(0, 1), estimator_name=None):
        self.images = images
        self.values = values
        self.dims = dims
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, cmap="gray_r", title=None):
        """Draw the decoded images as one tiled canvas.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        cmap : str, default="gray_r"
        title : str, default=None

        Returns
        -------
        display : LatentTraversalDisplay
        """
        images = np.asarray(self.images, dtype=float)
        n_rows, n_cols, h, w = images.shape
        ax = get_axes(ax, figsize=(min(0.8 * n_cols + 1, 10), min(0.8 * n_rows + 1, 10)))
        self.image_ = ax.imshow(tile(images.reshape(-1, h, w), n_cols), cmap=cmap)
        # Ticks at the image centres, labelled with the code values they decode.
        ax.set_xticks(np.arange(n_cols) * (w + 1) + w / 2 - 0.5)
        ax.set_xticklabels([f"{v:.2g}" for v in self.values[0]], fontsize=7, rotation=90)
        ax.set_xlabel(f"code {self.dims[0]}")
        if len(self.dims) > 1:
            ax.set_yticks(np.arange(n_rows) * (h + 1) + h / 2 - 0.5)
            ax.set_yticklabels([f"{v:.2g}" for v in self.values[1]], fontsize=7)
            ax.set_ylabel(f"code {self.dims[1]}")
        else:
            ax.set_yticks([])
        ax.set_title(title or f"{self.estimator_name or 'decoder'}: decoded code grid")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X=None,
        *,
        dims=(0, 1),
        n_steps=10,
        quantiles=(0.05, 0.95),
        values=None,
        image_shape=None,
        ax=None,
        cmap="gray_r",
        title=None,
    ):
        """Decode a grid of codes with ``estimator.inverse_transform`` and draw it.

        Parameters
        ----------
        estimator : fitted autoencoder
        X : array-like, default=None
            Samples whose codes set the range of each traversed dimension
            (``quantiles`` of their codes) and the value of the other
            dimensions (their median). None uses the standard normal prior of a
            variational autoencoder: its quantiles, and 0 elsewhere.
        dims : tuple of one or two int, default=(0, 1)
        n_steps : int, default=10
            Images along each traversed dimension.
        quantiles : tuple of two float, default=(0.05, 0.95)
        values : array-like or None, default=None
            Code values to decode, in code units, instead of quantiles: one
            sequence for every traversed dimension (e.g.
            ``np.linspace(-2, 2, 7)``, the tutorials' walk across a VAE's
            prior), or one per dimension. Overrides ``n_steps`` and
            ``quantiles``; ``X`` then only sets the other dimensions.
        image_shape : tuple of int, default=None
            ``(H, W)``; by default the estimator's ``image_shape_`` or a square.
        ax : matplotlib Axes, default=None
        cmap : str, default="gray_r"
        title : str, default=None

        Returns
        -------
        display : LatentTraversalDisplay
        """
        from scipy.stats import norm

        k = getattr(estimator, "n_components_", None) or estimator.n_components
        dims = tuple(int(d) for d in np.atleast_1d(dims))
        if not 1 <= len(dims) <= 2 or max(dims) >= k or min(dims) < 0:
            raise ValueError(f"dims={dims} must name one or two of the {k} code dimensions.")
        q = np.linspace(*quantiles, n_steps)
        codes = None if X is None else np.asarray(estimator.transform(X), dtype=float)
        centre = np.zeros(k) if codes is None else np.median(codes, axis=0)
        if values is not None:
            values = _code_values(values, len(dims))
        elif codes is None:
            values = [norm.ppf(q) for _ in dims]
        else:
            values = [np.quantile(codes[:, d], q) for d in dims]
        # The second dimension runs down the rows, largest value on top as on a y axis.
        rows = values[1][::-1] if len(dims) == 2 else [None]
        n_cols = len(values[0])
        grid = np.tile(centre, (len(rows) * n_cols, 1))
        for i, v_row in enumerate(rows):
            for j, v_col in enumerate(values[0]):
                grid[i * n_cols + j, dims[0]] = v_col
                if v_row is not None:
                    grid[i * n_cols + j, dims[1]] = v_row
        decoded = image_rows(estimator.inverse_transform(grid))
        shape = infer_image_shape(decoded.shape[1], image_shape, estimator)
        if shape is None:
            raise ValueError(
                f"Cannot draw decoded samples of {decoded.shape[1]} values as images; "
                "pass image_shape=(H, W)."
            )
        images = decoded[:, : math.prod(shape)].reshape(len(rows), n_cols, *shape)
        values = [values[0], values[1][::-1]] if len(dims) == 2 else values
        display = cls(images, values, dims=dims, estimator_name=type(estimator).__name__)
        return display.plot(ax=ax, cmap=cmap, title=title)


def _code_values(values, n_dims):
    """``values`` as one sorted 1-d array per traversed dimension."""
    ragged = isinstance(values, list | tuple) and all(np.ndim(v) == 1 for v in values)
    per_dim = list(values) if ragged and len(values) == n_dims else [values] * n_dims
    arrays = [np.sort(np.asarray(v, dtype=float).ravel()) for v in per_dim]
    if any(a.size == 0 or not np.isfinite(a).all() for a in arrays):
        raise ValueError(f"values must be finite code values, got {values!r}.")
    return arrays
