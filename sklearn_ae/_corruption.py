"""Input corruptions for denoising training (Vincent et al., 2008).

Applied to training batches only; the loss compares the reconstruction of
the corrupted input with the clean input. They draw from the generator they
are given (the fit's own), so they are reproducible and thread-safe.
"""

import torch

__all__ = ["GaussianNoise", "MaskingNoise", "make_corruption"]


class GaussianNoise:
    """Add zero-mean Gaussian noise of standard deviation ``std``."""

    def __init__(self, std):
        self.std = std

    def __call__(self, x, generator=None):
        noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        return x + self.std * noise


class MaskingNoise:
    """Replace each input entry with probability ``p`` by a neutral value (masking noise).

    The neutral value is 0, as in Vincent et al., for every feature whose
    training values reach 0 or lie within their own range's width of it
    (pixels in [0, 1], standardised or count data, ratings from 1 to 5). A
    feature whose values all lie far from 0 (around 100 with a spread of a
    few units) is masked to its training mean instead: a 0 there would be a
    value no real row has, and learning to undo it ruins the model on clean
    rows.
    The fill is set by :meth:`bind` from the training rows; unbound, it is 0.

    ``rescale=True`` scales the kept entries' deviation from the fill by
    ``1 / (1 - p)``, as dropout does, so a corrupted input has the clean
    input's expected value: the network then sees inputs of the same scale
    in training and in ``transform``.
    """

    # Rows of the training data the fill is estimated from.
    SAMPLE_ROWS = 2048

    def __init__(self, p, rescale=False):
        self.p = p
        self.rescale = rescale
        self.fill_ = None

    def bind(self, data):
        """Set the fill of each feature from ``data`` (a ``RowData``)."""
        sample = data.evenly_spaced(self.SAMPLE_ROWS)
        low, high = sample.amin(0), sample.amax(0)
        width = high - low  # 0 within one range's width of the values counts as near
        near_zero = (low - width <= 0) & (high + width >= 0)
        fill = torch.where(near_zero, torch.zeros_like(sample[0]), sample.mean(0))
        # All-zero fills change nothing: keep the plain product (and old pickles' path).
        self.fill_ = None if not fill.any() else fill

    def __call__(self, x, generator=None):
        keep = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype) >= self.p
        fill = getattr(self, "fill_", None)  # older pickles have none
        if fill is not None:
            fill = fill.to(x.device, x.dtype)
        deviation = (x if fill is None else x - fill) * keep
        if self.rescale:
            deviation = deviation / (1.0 - self.p)
        return deviation if fill is None else fill + deviation


def make_corruption(noise, noise_level):
    """The corruption for the ``noise``/``noise_level`` estimator parameters."""
    if noise is None or noise_level == 0:
        return None
    if noise == "gaussian":
        return GaussianNoise(noise_level)
    if noise in ("masking", "dropout"):
        if not 0 <= noise_level < 1:
            raise ValueError(
                f"noise={noise!r} needs noise_level in [0, 1) (a probability), got {noise_level}."
            )
        return MaskingNoise(noise_level, rescale=noise == "dropout")
    raise ValueError(f"Unknown noise {noise!r}; use None, 'gaussian', 'masking' or 'dropout'.")
