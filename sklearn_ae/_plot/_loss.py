"""Training and validation loss per epoch."""

import numpy as np

from ._base import get_axes

__all__ = ["LossCurveDisplay"]


class LossCurveDisplay:
    """Training loss, and validation loss where there is one, per epoch.

    Use :meth:`from_estimator` to create one.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss of each epoch (``loss_curve_``).
    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Validation loss of each epoch (``validation_loss_curve_``, with
        ``early_stopping=True``).
    estimator_name : str, default=None

    Attributes
    ----------
    best_epoch_ : int or None
        1-based epoch of the lowest validation loss (the weights
        ``early_stopping`` keeps), None without validation.
    lines_ : list of matplotlib Line2D
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, loss_curve, validation_loss_curve=None, *, estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, log_scale=False, title=None):
        """Draw the curves against the epoch (1-based).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        log_scale : bool, default=False
            Logarithmic loss axis, for curves that fall by orders of magnitude.
        title : str, default=None

        Returns
        -------
        display : LossCurveDisplay
        """
        ax = get_axes(ax, figsize=(6, 4))
        from matplotlib.ticker import MaxNLocator

        train = np.asarray(self.loss_curve, dtype=float)
        epochs = np.arange(1, len(train) + 1)
        self.lines_ = ax.plot(epochs, train, label="training loss")
        self.best_epoch_ = None
        if self.validation_loss_curve is not None:
            valid = np.asarray(self.validation_loss_curve, dtype=float)
            self.lines_ += ax.plot(epochs[: len(valid)], valid, label="validation loss")
            self.best_epoch_ = int(np.nanargmin(valid)) + 1
            ax.axvline(self.best_epoch_, color="0.5", ls=":", label="best validation epoch")
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 2.5
        ax.set_ylabel("loss")
        ax.legend()
        ax.set_title(title or f"{self.estimator_name or 'model'}: loss per epoch")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, log_scale=False, title=None):
        """Plot a fitted estimator's ``loss_curve_`` and ``validation_loss_curve_``.

        Parameters
        ----------
        estimator : fitted autoencoder
            Any estimator with ``loss_curve_`` (scikit-learn's MLPs too).
        ax : matplotlib Axes, default=None
        log_scale : bool, default=False
        title : str, default=None

        Returns
        -------
        display : LossCurveDisplay
        """
        if not hasattr(estimator, "loss_curve_"):
            raise ValueError(
                f"{type(estimator).__name__} has no loss_curve_: fit it first (with a "
                "solver that records one)."
            )
        display = cls(
            estimator.loss_curve_,
            getattr(estimator, "validation_loss_curve_", None),
            estimator_name=type(estimator).__name__,
        )
        return display.plot(ax=ax, log_scale=log_scale, title=title)
