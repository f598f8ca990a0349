"""The first layer's weights, drawn as images: what each unit looks for."""

import math

import numpy as np

from ._base import get_axes, infer_image_shape, tile

__all__ = ["FilterDisplay"]


class FilterDisplay:
    """Weights of the first layer, one small image per unit (or convolution kernel).

    Each filter is scaled to its own largest absolute weight, so red and blue
    show its sign and shape, not how it compares with the others. Use
    :meth:`from_estimator` to create one.

    Parameters
    ----------
    filters : ndarray of shape (n_filters, H, W)
    estimator_name : str, default=None

    Attributes
    ----------
    image_ : matplotlib AxesImage
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, filters, *, estimator_name=None):
        self.filters = filters
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, n_cols=None, cmap="RdBu_r", title=None):
        """Draw the filters as one tiled canvas.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        n_cols : int, default=None
            Filters per row; about the square root of their number by default.
        cmap : str, default="RdBu_r"
        title : str, default=None

        Returns
        -------
        display : FilterDisplay
        """
        filters = np.asarray(self.filters, dtype=float)
        n = filters.shape[0]
        n_cols = n_cols or math.ceil(math.sqrt(n))
        scale = np.abs(filters).reshape(n, -1).max(axis=1)
        filters = filters / np.where(scale > 0, scale, 1)[:, None, None]
        ax = get_axes(ax, figsize=(6, 6 * math.ceil(n / n_cols) / n_cols + 0.5))
        self.image_ = ax.imshow(tile(filters, n_cols), cmap=cmap, vmin=-1, vmax=1)
        ax.set_axis_off()
        ax.set_title(title or f"{self.estimator_name or 'model'}: first-layer filters")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, n_filters=64, image_shape=None, ax=None, n_cols=None, cmap="RdBu_r"
    ):
        """Draw the first ``n_filters`` units of the estimator's first layer.

        Parameters
        ----------
        estimator : fitted autoencoder
            Its ``module_``'s first ``Linear`` or ``Conv2d`` layer is drawn:
            rows of the weight as images for dense models, kernels (first
            input channel) for convolutional ones.
        n_filters : int, default=64
        image_shape : tuple of int, default=None
            ``(H, W)`` of the input, for dense models; by default the
            estimator's ``image_shape_`` or a square.
        ax : matplotlib Axes, default=None
        n_cols : int, default=None
        cmap : str, default="RdBu_r"

        Returns
        -------
        display : FilterDisplay
        """
        from torch import nn

        layer = next(
            (m for m in estimator.module_.modules() if isinstance(m, nn.Linear | nn.Conv2d)),
            None,
        )
        if layer is None:
            raise ValueError(
                f"{type(estimator).__name__} has no Linear or Conv2d layer to draw "
                "(recurrent models have no image-shaped filters)."
            )
        weight = layer.weight.detach().cpu().double().numpy()
        if isinstance(layer, nn.Conv2d):
            filters = weight[:, 0]
        else:
            shape = infer_image_shape(weight.shape[1], image_shape, estimator)
            if shape is None:
                raise ValueError(
                    f"Cannot draw filters of {weight.shape[1]} inputs as images; pass "
                    "image_shape=(H, W)."
                )
            filters = weight[:, : math.prod(shape)].reshape(-1, *shape)
        display = cls(filters[:n_filters], estimator_name=type(estimator).__name__)
        return display.plot(ax=ax, n_cols=n_cols, cmap=cmap)
