"""The one training loop: a skorch net specialised for autoencoders.

Every estimator of the package trains through :class:`AutoencoderNet`. A
variant changes what goes in (a ``corruption`` of the input), what is added to
the reconstruction loss (``penalties``) or which module is trained; the loop
itself is skorch's, with three hooks replaced:

* ``get_dataset``/``get_iterator``: whole-tensor batches (see ``_data``), no
  hidden validation split;
* ``train_step_single``: corrupt the input, reconstruct the clean target;
* ``run_single_epoch``: losses are summed on the device and read once per
  epoch, so a GPU is not synchronised after every batch.

The net is internal: estimators hold one as ``net_`` and never expose
skorch's parameters, which would break ``clone`` and scikit-learn's checks.
"""

import time

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback

from ._data import BatchIterator, RowData, split_rows

__all__ = ["AutoencoderNet", "ConvergenceMonitor", "DivergenceGuard", "ProgressLog"]


class AutoencoderNet(NeuralNet):
    """skorch ``NeuralNet`` whose target is its input.

    Parameters
    ----------
    module : torch.nn.Module
        Returns a dict with ``"recon"`` (raw output) and ``"code"``.
    criterion : ReconstructionLoss
    corruption : callable or None
        ``corruption(x) -> x_noisy``, applied to training batches only.
    penalties : sequence of callables
        ``penalty(module, x_in, out) -> scalar`` added to the loss.
    validation_fraction : float or None
        Held-out share of rows for early stopping; None trains on everything.
    **kwargs
        Passed to :class:`skorch.NeuralNet`.
    """

    def __init__(
        self,
        module,
        criterion,
        *,
        corruption=None,
        penalties=(),
        validation_fraction=None,
        **kwargs,
    ):
        super().__init__(module, criterion, train_split=None, **kwargs)
        self.corruption = corruption
        self.penalties = penalties
        self.validation_fraction = validation_fraction

    def get_default_callbacks(self):
        # Our callbacks record what skorch's defaults would, without their
        # per-batch bookkeeping.
        return []

    def get_dataset(self, X, y=None):
        if isinstance(X, RowData):
            return X
        return RowData(X, self.device)

    def get_split_datasets(self, X, y=None, **fit_params):
        data = self.get_dataset(X)
        if not self.validation_fraction:
            return data, None
        return split_rows(data, self.validation_fraction)

    def get_iterator(self, dataset, training=False):
        size = len(dataset) if self.batch_size == -1 else self.batch_size
        return BatchIterator(dataset, size, shuffle=training)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = self.criterion_(y_pred["recon"], y_true)
        for penalty in self.penalties:
            loss = loss + penalty(self.module_, X, y_pred)
        return loss

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        x, target = batch
        x_in = x if self.corruption is None else self.corruption(x)
        out = self._train_forward(x_in)
        loss = self.get_loss(out, target, X=x_in, training=True)
        self._backward(loss, x)
        return {"loss": loss, "y_pred": out}

    # Hooks for data-parallel training (_distributed.DistributedAutoencoderNet).
    def _train_forward(self, x):
        return self.module_(x)

    def _backward(self, loss, x):
        loss.backward()

    def _epoch_loss(self, total, count, training):
        """Mean loss of an epoch from its sum ``total`` over ``count`` rows."""
        return (total / count).item()

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        total = torch.zeros((), dtype=torch.float64, device=self.device)
        count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            size = batch[0].shape[0]
            total += step["loss"].detach() * size
            count += size
            self.notify("on_batch_end", batch=batch, training=training, **step)
        self.history.record(prefix + "_loss", self._epoch_loss(total, count, training))


class DivergenceGuard(Callback):
    """Stop with a clear message as soon as an epoch's loss is not finite."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        for key in ("train_loss", "valid_loss"):
            if key in row and not torch.isfinite(torch.tensor(row[key])):
                raise FloatingPointError(
                    f"The training loss became {row[key]} at epoch {row['epoch']}: "
                    f"training diverged. Try a lower learning_rate_init (now "
                    f"{self.learning_rate:g}, e.g. {self.learning_rate / 10:g}), scale the "
                    "input (e.g. StandardScaler or MinMaxScaler), or another optimizer."
                )


class ConvergenceMonitor(Callback):
    """scikit-learn MLP's stopping rule, on the validation loss when there is one.

    Training stops once the monitored loss has not improved on its best value
    by at least ``tol`` (relative) for ``n_iter_no_change`` epochs. With a
    validation set the weights of the best validation epoch are restored at
    the end, as ``MLPRegressor(early_stopping=True)`` does.
    """

    def __init__(self, tol, n_iter_no_change):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change

    def on_train_begin(self, net, **kwargs):
        # Reset here, not in initialize(): a warm-started fit reuses the callback.
        self.best_loss_ = float("inf")
        self.best_state_ = None
        self.stale_epochs_ = 0
        self.converged_ = False

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        key = "train_loss" if dataset_valid is None else "valid_loss"
        loss = net.history[-1, key]
        if loss < self.best_loss_ * (1.0 - self.tol) if self.best_loss_ > 0 else loss < 0:
            self.stale_epochs_ = 0
        else:
            self.stale_epochs_ += 1
        if loss < self.best_loss_:
            self.best_loss_ = loss
            if dataset_valid is not None:
                self.best_state_ = {
                    k: v.detach().clone() for k, v in net.module_.state_dict().items()
                }
        if self.stale_epochs_ >= self.n_iter_no_change:
            self.converged_ = True
            raise KeyboardInterrupt  # skorch's way of ending fit_loop early

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is not None:
            net.module_.load_state_dict(self.best_state_)
            self.best_state_ = None


class ProgressLog(Callback):
    """One line per epoch: losses and time (``verbose=True``)."""

    def __init__(self, max_epochs, sink=print):
        self.max_epochs = max_epochs
        self.sink = sink

    def on_epoch_begin(self, net, **kwargs):
        self.start_ = time.perf_counter()

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        parts = [f"epoch {row['epoch']:>4d}/{self.max_epochs}", f"loss {row['train_loss']:.6g}"]
        if "valid_loss" in row:
            parts.append(f"validation loss {row['valid_loss']:.6g}")
        parts.append(f"{time.perf_counter() - self.start_:.2f}s")
        self.sink("  ".join(parts))
