"""Originals next to their reconstructions: images as a grid, series as lines."""

import numpy as np

from ._base import get_axes, image_rows, infer_image_shape, tile

__all__ = ["ReconstructionDisplay"]


class ReconstructionDisplay:
    """Samples and their reconstructions: two rows of images, or overlaid series.

    Use :meth:`from_estimator` or :meth:`from_predictions` to create one.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The original samples, one flattened sample per row.
    X_reconstructed : ndarray of shape (n_samples, n_features)
        Their reconstructions.
    image_shape : tuple of int or None, default=None
        ``(H, W)`` to draw the samples as images; None draws them as series.
    estimator_name : str, default=None
        Name shown in the title.

    Attributes
    ----------
    mse_ : ndarray of shape (n_samples,)
        Mean squared error of each reconstruction.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    image_ : matplotlib AxesImage or None
        The tiled images (None for series).
    lines_ : list of matplotlib Line2D
        The original and reconstructed series (empty for images).

    See Also
    --------
    LatentSpaceDisplay : the codes of the same samples as a 2-d map.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_ae import StackedAE, ReconstructionDisplay
    >>> X = load_digits().data / 16
    >>> ae = StackedAE(8, max_iter=5, random_state=0).fit(X)  # doctest: +SKIP
    >>> ReconstructionDisplay.from_estimator(ae, X[:8])  # doctest: +SKIP
    <...ReconstructionDisplay object at ...>
    """

    def __init__(self, X, X_reconstructed, *, image_shape=None, estimator_name=None):
        self.X = X
        self.X_reconstructed = X_reconstructed
        self.image_shape = image_shape
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, cmap="gray_r", title=None):
        """Draw the originals (top) and reconstructions (bottom), or the series.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        cmap : str, default="gray_r"
            Colour map of images.
        title : str, default=None
            Axes title; by default names the estimator and the mean error.

        Returns
        -------
        display : ReconstructionDisplay
        """
        X, R = image_rows(self.X), image_rows(self.X_reconstructed)
        if X.shape != R.shape:
            raise ValueError(
                f"X has shape {X.shape} but X_reconstructed has shape {R.shape}; pass "
                "the samples and their reconstructions in the same order."
            )
        self.mse_ = np.nanmean((X - R) ** 2, axis=1)
        n = X.shape[0]
        self.image_, self.lines_ = None, []
        if self.image_shape is not None:
            ax = get_axes(ax, figsize=(min(1.2 * n, 12), 3))
            h, w = self.image_shape
            both = np.concatenate([X[:, : h * w], R[:, : h * w]]).reshape(2 * n, h, w)
            # The originals' range: a reconstruction dipping below their
            # minimum would otherwise turn their blank background grey.
            lo, hi = np.nanmin(X[:, : h * w]), np.nanmax(X[:, : h * w])
            self.image_ = ax.imshow(tile(both, n), cmap=cmap, vmin=lo, vmax=hi)
            ax.set_xticks([])
            ax.set_yticks([h / 2, 1.5 * h + 1], ["original", "reconstructed"])
        else:
            ax = get_axes(ax, figsize=(8, 1 + 0.8 * n))
            # Each sample gets its own band, so a few series stay readable on one axes.
            step = 1.2 * np.nanmax(np.abs(np.concatenate([X, R]))) * 2 or 1.0
            for i in range(n):
                offset = -i * step
                (orig,) = ax.plot(X[i] + offset, color="C0", lw=1.5)
                (rec,) = ax.plot(R[i] + offset, color="C1", lw=1.5, ls="--")
                self.lines_ += [orig, rec]
            self.lines_[0].set_label("original")
            self.lines_[1].set_label("reconstructed")
            ax.set_yticks([])
            ax.set_xlabel("step")
            ax.legend(loc="upper right", fontsize=8)
        name = self.estimator_name or "reconstruction"
        ax.set_title(title or f"{name}: mean squared error {np.nanmean(self.mse_):.4g}")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(
        cls, estimator, X, *, n_samples=8, image_shape=None, ax=None, cmap="gray_r", title=None
    ):
        """Reconstruct the first ``n_samples`` rows of ``X`` with ``estimator`` and plot them.

        Parameters
        ----------
        estimator : fitted autoencoder
            Anything with ``reconstruct`` or ``transform`` and ``inverse_transform``.
        X : array-like of shape (n_samples, ...)
            Samples in the layout the estimator was fitted on: ``(n, H, W)``
            and ``(n, C, H, W)`` are drawn as images (the first channel),
            except a sequence model's ``(n, T, C)`` (its first channel as
            lines).
        n_samples : int, default=8
            How many samples to show.
        image_shape : tuple of int, default=None
            ``(H, W)``; by default the estimator's ``image_shape_``, else square
            rows of at least 4x4 are drawn as images and anything else as series.
        ax : matplotlib Axes, default=None
        cmap : str, default="gray_r"
        title : str, default=None

        Returns
        -------
        display : ReconstructionDisplay
        """
        X = X[:n_samples]
        if hasattr(estimator, "reconstruct"):
            R = estimator.reconstruct(X)
        else:
            R = estimator.inverse_transform(estimator.transform(X))
        return cls.from_predictions(
            X,
            R,
            image_shape=image_shape,
            estimator_name=type(estimator).__name__,
            ax=ax,
            cmap=cmap,
            title=title,
            _estimator=estimator,
        )

    @classmethod
    def from_predictions(
        cls,
        X,
        X_reconstructed,
        *,
        image_shape=None,
        estimator_name=None,
        ax=None,
        cmap="gray_r",
        title=None,
        _estimator=None,
    ):
        """Plot given samples and reconstructions (from any model, PCA included).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
        X_reconstructed : array-like of the same shape
        image_shape : tuple of int, default=None
            ``(H, W)``; inferred as in :meth:`from_estimator` when None.
        estimator_name : str, default=None
        ax : matplotlib Axes, default=None
        cmap : str, default="gray_r"
        title : str, default=None

        Returns
        -------
        display : ReconstructionDisplay
        """
        X, R = (
            np.asarray(a.toarray() if hasattr(a, "toarray") else a, dtype=float)
            for a in (X, X_reconstructed)
        )
        if image_shape is None and X.ndim in (3, 4):
            if X.ndim == 3 and hasattr(_estimator, "n_timesteps_"):
                X, R = X[..., 0], R[..., 0]  # a sequence model's (n, T, C): first channel
            else:
                image_shape = X.shape[1:]  # (n, H, W) or (n, C, H, W) hold images
        rows = image_rows(X)
        shape = infer_image_shape(rows.shape[1], image_shape, _estimator)
        display = cls(rows, image_rows(R), image_shape=shape, estimator_name=estimator_name)
        return display.plot(ax=ax, cmap=cmap, title=title)
