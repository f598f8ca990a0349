"""Reconstruction losses: the one term every autoencoder minimises.

Modules return raw decoder outputs; a loss decides how they become a
reconstruction (identity for MSE, sigmoid for BCE, which is computed from the
logits for numerical stability).
"""

import torch
import torch.nn.functional as F

__all__ = ["ReconstructionLoss"]


class ReconstructionLoss(torch.nn.Module):
    """Mean squared error or binary cross-entropy between input and reconstruction.

    Parameters
    ----------
    kind : {"mse", "bce"}
        ``"bce"`` expects targets in [0, 1] and treats raw outputs as logits.
    masked : bool, default=False
        Ignore NaN entries of the target (padding of variable-length
        sequences): they count neither in the loss nor in its mean.
    """

    def __init__(self, kind="mse", masked=False):
        super().__init__()
        self.kind = kind
        self.masked = masked

    def output(self, raw):
        """The reconstruction that raw decoder outputs stand for."""
        return torch.sigmoid(raw) if self.kind == "bce" else raw

    def elementwise(self, raw, target):
        if self.kind == "bce":
            return F.binary_cross_entropy_with_logits(raw, target, reduction="none")
        return (raw - target) ** 2

    def _observed_errors(self, raw, target):
        """Elementwise errors with NaN targets zeroed, and the mask of observed entries."""
        raw, target = raw.flatten(1), target.flatten(1)
        observed = ~torch.isnan(target)
        err = self.elementwise(raw, torch.where(observed, target, 0.0))
        return torch.where(observed, err, 0.0), observed

    def per_sample(self, raw, target):
        """Loss of each sample, averaged over its (observed) features."""
        if not self.masked:
            return self.elementwise(raw.flatten(1), target.flatten(1)).mean(dim=1)
        err, observed = self._observed_errors(raw, target)
        return err.sum(dim=1) / observed.sum(dim=1).clamp(min=1)

    def forward(self, raw, target):
        if not self.masked:
            return self.elementwise(raw, target).mean()
        err, observed = self._observed_errors(raw, target)
        return err.sum() / observed.sum().clamp(min=1)
