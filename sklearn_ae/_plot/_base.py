"""What the displays share: an axes to draw on, image shapes, tiling images."""

import math

import numpy as np

__all__ = ["get_axes", "image_rows", "infer_image_shape", "tile"]


def get_axes(ax, figsize=None):
    """``ax``, or the axes of a new figure; matplotlib is imported here, not earlier."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            'Plotting needs matplotlib: pip install "sklearn-ae[plot]" (or matplotlib).'
        ) from exc
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def infer_image_shape(n_features, image_shape=None, estimator=None):
    """(H, W) of one sample: given, the estimator's ``image_shape_`` (or the 2-d or 3-d
    ``sample_shape_`` of an ``AutoEncoder`` fitted on images), or a square.

    Returns None when the samples are not images (series or tabular rows).
    """
    if image_shape is None and estimator is not None:
        image_shape = getattr(estimator, "image_shape_", None)
        if image_shape is None and len(getattr(estimator, "sample_shape_", ())) in (2, 3):
            image_shape = estimator.sample_shape_
    if image_shape is not None:
        shape = tuple(int(s) for s in image_shape)
        if len(shape) == 3:  # (C, H, W): show the first channel
            shape = shape[1:]
        if len(shape) != 2 or math.prod(shape) > n_features or n_features % math.prod(shape):
            raise ValueError(
                f"image_shape={image_shape!r} does not fit samples of {n_features} values; "
                "pass the (H, W) or (C, H, W) of one image."
            )
        return shape
    side = math.isqrt(n_features)
    return (side, side) if side >= 4 and side * side == n_features else None


def image_rows(X):
    """Samples as a 2-d float array, one flattened sample per row."""
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=float)
    if X.ndim == 1:
        X = X[None, :]
    return X.reshape(X.shape[0], -1)


def tile(images, n_cols, pad=1, fill=np.nan):
    """One canvas of ``images`` (n, H, W), row by row, ``pad`` pixels apart.

    The padding is NaN so that it shows as the axes' background, not as a value.
    """
    n, h, w = images.shape
    n_rows = math.ceil(n / n_cols)
    canvas = np.full((n_rows * (h + pad) - pad, n_cols * (w + pad) - pad), fill)
    for i, img in enumerate(images):
        r, c = divmod(i, n_cols)
        canvas[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = img
    return canvas
