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
    """Set each input entry to zero with probability ``p`` (masking noise)."""

    def __init__(self, p):
        self.p = p

    def __call__(self, x, generator=None):
        keep = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype) >= self.p
        return x * keep


def make_corruption(noise, noise_level):
    """The corruption for the ``noise``/``noise_level`` estimator parameters."""
    if noise is None or noise_level == 0:
        return None
    if noise == "gaussian":
        return GaussianNoise(noise_level)
    if noise == "masking":
        if not 0 <= noise_level < 1:
            raise ValueError(
                f"noise='masking' needs noise_level in [0, 1) (a probability), got {noise_level}."
            )
        return MaskingNoise(noise_level)
    raise ValueError(f"Unknown noise {noise!r}; use None, 'gaussian' or 'masking'.")
