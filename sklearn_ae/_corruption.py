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
    """Set each input entry to zero with probability ``p`` (masking noise).

    ``rescale=True`` divides the kept entries by ``1 - p``, as dropout does,
    so a corrupted input has the clean input's expected value: the network
    then sees inputs of the same scale in training and in ``transform``.
    """

    def __init__(self, p, rescale=False):
        self.p = p
        self.rescale = rescale

    def __call__(self, x, generator=None):
        keep = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype) >= self.p
        if self.rescale:
            return x * keep / (1.0 - self.p)
        return x * keep


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
