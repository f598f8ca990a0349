"""A 2-d map of codes, coloured by label."""

import numpy as np

from ._base import get_axes

__all__ = ["LatentSpaceDisplay"]


class LatentSpaceDisplay:
    """Codes as a scatter plot of two of their dimensions, coloured by label.

    Use :meth:`from_estimator` or :meth:`from_codes` to create one.

    Parameters
    ----------
    codes : ndarray of shape (n_samples, 2)
        The two code dimensions to draw.
    y : array-like of shape (n_samples,) or None, default=None
        Labels (a legend) or values (a colour bar) colouring the points.
    dims : tuple of int, default=(0, 1)
        Which code dimensions ``codes`` holds, for the axis labels.
    estimator_name : str, default=None

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    See Also
    --------
    ReconstructionDisplay : what the decoder makes of the same samples.
    LatentTraversalDisplay : what the decoder makes of a grid of codes.
    """

    def __init__(self, codes, y=None, *, dims=(0, 1), estimator_name=None):
        self.codes = codes
        self.y = y
        self.dims = dims
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, cmap="tab10", s=8, alpha=0.8, title=None):
        """Draw the map.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        cmap : str, default="tab10"
            Colour map; ``"tab10"``/``"tab20"`` suit up to 10/20 classes.
        s : float, default=8
            Marker size.
        alpha : float, default=0.8
        title : str, default=None

        Returns
        -------
        display : LatentSpaceDisplay
        """
        codes = np.asarray(self.codes, dtype=float)
        if codes.ndim != 2 or codes.shape[1] != 2:
            raise ValueError(
                f"codes must have shape (n_samples, 2), got {codes.shape}; pick two "
                "dimensions with dims=(i, j) in from_estimator or from_codes."
            )
        own_figure = ax is None
        ax = get_axes(ax, figsize=(6.5, 5))
        y = None if self.y is None else np.asarray(self.y)
        if y is not None and len(y) != len(codes):
            raise ValueError(f"y has {len(y)} entries but there are {len(codes)} codes.")
        if y is None:
            self.scatter_ = ax.scatter(*codes.T, s=s, alpha=alpha)
        elif y.dtype.kind in "iubOSU" and len(np.unique(y)) <= 20:
            classes, index = np.unique(y, return_inverse=True)
            self.scatter_ = ax.scatter(
                *codes.T,
                c=index,
                cmap=cmap,
                s=s,
                alpha=alpha,
                vmin=-0.5,
                vmax=max(len(classes), 10) - 0.5,
            )
            handles = [
                ax.scatter([], [], color=self.scatter_.cmap(self.scatter_.norm(i)), label=str(c))
                for i, c in enumerate(classes)
            ]
            # Beside the axes, never on the points it explains.
            ax.legend(
                handles=handles,
                title="label",
                fontsize=8,
                markerscale=2,
                loc="upper left",
                bbox_to_anchor=(1.01, 1),
                borderaxespad=0,
            )
        else:
            self.scatter_ = ax.scatter(*codes.T, c=y, cmap="viridis", s=s, alpha=alpha)
            ax.figure.colorbar(self.scatter_, ax=ax)
        ax.set_xlabel(f"code {self.dims[0]}")
        ax.set_ylabel(f"code {self.dims[1]}")
        ax.set_title(title or f"{self.estimator_name or 'codes'}: 2-d latent map")
        if own_figure:
            ax.figure.tight_layout()  # room for the legend beside the axes
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, dims=(0, 1), ax=None, **kwargs):
        """Encode ``X`` with ``estimator`` and map two code dimensions.

        Parameters
        ----------
        estimator : fitted transformer
            Any, e.g. an autoencoder or :class:`~sklearn.decomposition.PCA`.
        X : array-like
            Samples in the layout the estimator was fitted on.
        y : array-like of shape (n_samples,), default=None
        dims : tuple of two int, default=(0, 1)
        ax : matplotlib Axes, default=None
        **kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        codes = np.asarray(estimator.transform(X))
        return cls.from_codes(
            codes, y, dims=dims, estimator_name=type(estimator).__name__, ax=ax, **kwargs
        )

    @classmethod
    def from_codes(cls, codes, y=None, *, dims=(0, 1), estimator_name=None, ax=None, **kwargs):
        """Map codes computed elsewhere (t-SNE embeddings included).

        Parameters
        ----------
        codes : array-like of shape (n_samples, n_components)
        y : array-like of shape (n_samples,), default=None
        dims : tuple of two int, default=(0, 1)
        estimator_name : str, default=None
        ax : matplotlib Axes, default=None
        **kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        codes = np.asarray(codes, dtype=float)
        dims = tuple(int(d) for d in dims)
        if codes.ndim != 2 or len(dims) != 2 or max(dims) >= codes.shape[1]:
            raise ValueError(
                f"dims={dims} must name two of the {codes.shape[-1]} code dimensions."
            )
        display = cls(codes[:, dims], y, dims=dims, estimator_name=estimator_name)
        return display.plot(ax=ax, **kwargs)
