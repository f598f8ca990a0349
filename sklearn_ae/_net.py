"""The one training loop: a skorch net specialised for autoencoders.

Every estimator of the package trains through :class:`AutoencoderNet`. A
variant changes what goes in (a ``corruption`` of the input), what is added to
the reconstruction loss (``penalties``) or which module is trained; the loop
itself is skorch's, with three hooks replaced:

* ``get_dataset``/``get_iterator``: whole-tensor batches (see ``_data``), no
  hidden validation split;
* ``train_step_single``: corrupt the input, reconstruct the clean target;
* ``run_single_epoch``: losses are summed on the device and read once per
  epoch, so a GPU is not synchronised after every batch;
* ``partial_fit``: a callback ends training with :class:`StopTraining`, never
  with ``KeyboardInterrupt`` (skorch's own convention), so a real Ctrl-C is
  not mistaken for convergence: the weights and history are rewound to the
  last completed epoch and the ``KeyboardInterrupt`` reaches the caller.

The net is internal: estimators hold one as ``net_`` and never expose
skorch's parameters, which would break ``clone`` and scikit-learn's checks.
"""

import math
import sys
import time

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from tqdm.auto import tqdm

from ._data import BatchIterator, LazyRows, RowData, split_rows

__all__ = [
    "AutoencoderNet",
    "ConvergenceMonitor",
    "DivergenceGuard",
    "EpochSnapshot",
    "LearningRateSchedule",
    "ProgressLog",
    "StopTraining",
    "WeightAverage",
    "divergence_advice",
    "rewind_unfinished_epoch",
]


class StopTraining(Exception):
    """Raised by a callback to end training after the current epoch."""


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
    validation_data : RowData or None
        Rows of the user's own validation set (``fit(X, X_val=...)``), scored
        every epoch instead of a held-out share; set for one fit.
    generator : torch.Generator or None
        The fit's own random stream: shuffling, the validation split, input
        corruption, and the sampling of any submodule or penalty with a
        ``generator`` attribute (set for the duration of training).
    chunk_rows : int or None
        Sparse batches larger than this are densified this many rows at a
        time, their gradients accumulated.
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
        validation_data=None,
        generator=None,
        chunk_rows=None,
        **kwargs,
    ):
        super().__init__(module, criterion, train_split=None, **kwargs)
        self.corruption = corruption
        self.penalties = penalties
        self.validation_fraction = validation_fraction
        self.validation_data = validation_data
        self.generator = generator
        self.chunk_rows = chunk_rows

    def initialize_optimizer(self, triggered_directly=None):
        """Register the optimizer; it is built on first use (``optimizer_``).

        torch's ``Optimizer`` imports ``torch._dynamo`` when it is built (1-3 s,
        once per process); a net that holds a loaded model for inference never
        trains and need not pay it.
        """
        self.__dict__.pop("_optimizer", None)
        if "optimizer" not in self._optimizers:
            # What skorch's __setattr__ does when it sets optimizer_ here.
            self._register_attribute("optimizer", None)
        return self

    @property
    def optimizer_(self):
        """The optimizer, built from the module's parameters on first access."""
        if "_optimizer" not in self.__dict__:
            super().initialize_optimizer()
        return self.__dict__["_optimizer"]

    @optimizer_.setter
    def optimizer_(self, optimizer):
        self.__dict__["_optimizer"] = optimizer

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train for ``max_epochs`` more epochs; see the module docstring for Ctrl-C."""
        if not self.initialized_:
            self.initialize()
        self.epochs_completed_ = 0
        samplers = [m for m in self.module_.modules() if hasattr(m, "generator")]
        samplers += [term for term in self.penalties if hasattr(term, "generator")]
        for m in samplers:
            m.generator = self.generator
        try:
            self.notify("on_train_begin", X=X, y=y)
            try:
                self.fit_loop(X, y, **fit_params)
            except StopTraining:
                pass
            except KeyboardInterrupt:
                self._rewind()
                self.notify("on_train_end", X=X, y=y)
                raise
            self.notify("on_train_end", X=X, y=y)
        finally:
            for m in samplers:
                m.generator = None
        return self

    def _rewind(self):
        validates = bool(self.validation_fraction) or self.validation_data is not None
        rewind_unfinished_epoch(self, validation=validates)

    def notify(self, method_name, **cb_kwargs):
        if method_name == "on_epoch_end":  # the epoch's losses are recorded by now
            self.epochs_completed_ += 1
        super().notify(method_name, **cb_kwargs)

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
        if self.validation_data is not None:
            self.validation_rows_ = self.validation_data  # for the checks after training
            return data, self.validation_data
        if not self.validation_fraction:
            return data, None
        train, valid = split_rows(data, self.validation_fraction, self.generator)
        # Kept for the checks after training, which drop it (never pickled).
        self.validation_rows_ = valid
        return train, valid

    def get_iterator(self, dataset, training=False):
        size = len(dataset) if self.batch_size == -1 else self.batch_size
        return BatchIterator(
            dataset, size, shuffle=training, generator=self.generator, chunk_rows=self.chunk_rows
        )

    def _chunks(self, x):
        """``(dense part, its share of the batch)`` pairs of a batch."""
        if not isinstance(x, LazyRows):
            yield x, 1.0
            return
        for part in x.chunks(self.chunk_rows):
            yield part, part.shape[0] / len(x)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = self.criterion_(y_pred["recon"], y_true)
        for penalty in self.penalties:
            loss = loss + penalty(self.module_, X, y_pred)
        return loss

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        total = 0.0
        for x, share in self._chunks(batch[0]):
            x_in = x if self.corruption is None else self.corruption(x, self.generator)
            out = self._train_forward(x_in)
            loss = self.get_loss(out, x, X=x_in, training=True)
            self._backward(loss * share if share != 1.0 else loss)
            total = total + loss.detach() * share
        return {"loss": total, "y_pred": out}

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        total = 0.0
        with torch.no_grad():
            for x, share in self._chunks(batch[0]):
                out = self.module_(x)
                total = total + self.get_loss(out, x, X=x, training=False) * share
        return {"loss": total, "y_pred": out}

    # Hooks for data-parallel training (_distributed.DistributedAutoencoderNet).
    def _train_forward(self, x):
        return self.module_(x)

    def _backward(self, loss):
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
            size = len(batch[0])
            total += step["loss"].detach() * size
            count += size
            self.notify("on_batch_end", batch=batch, training=training, **step)
        loss = self._epoch_loss(total, count, training)
        # ``<prefix>_loss_best`` is what skorch's own callbacks (Checkpoint,
        # EarlyStopping) monitor; skorch's default scoring callbacks would
        # record it, ours are left out.
        earlier = [row[prefix + "_loss"] for row in self.history[:-1] if prefix + "_loss" in row]
        self.history.record(prefix + "_loss", loss)
        self.history.record(prefix + "_loss_best", not earlier or loss < min(earlier))


def rewind_unfinished_epoch(net, validation):
    """Drop an interrupted epoch from ``net``: its history row and its weight updates.

    The weights come from the net's ``"snapshot"`` callback (an
    :class:`EpochSnapshot`); ``validation`` says whether a complete epoch
    records a validation loss.
    """
    complete = {"train_loss"} | ({"valid_loss"} if validation else set())
    if len(net.history) and not complete <= set(net.history[-1]):
        del net.history[-1]
    snapshot = dict(net.callbacks_).get("snapshot")
    if snapshot is not None and snapshot.state_ is not None:
        net.module_.load_state_dict(snapshot.state_)


def divergence_advice(learning_rate, momentum=0.0):
    """What to try after a diverged (or collapsed) fit; ``momentum`` of solver="sgd"."""
    advice = (
        f"Try a lower learning_rate_init (now {learning_rate:g}, e.g. {learning_rate / 10:g}), "
        "scale the input (e.g. StandardScaler or MinMaxScaler), or another solver."
    )
    if momentum:
        # torch.optim.SGD has no momentum by default, scikit-learn's MLP 0.9:
        # a rate from a plain torch loop is then 1 / (1 - 0.9) = 10x too large.
        advice += (
            f" solver='sgd' steps with momentum={momentum:g} (scikit-learn MLP's default), "
            f"about {1 / (1 - min(momentum, 0.999)):.3g}x the rate: a rate that trains in a "
            "plain torch.optim.SGD loop (no momentum by default) needs momentum=0 here."
        )
    return advice


class DivergenceGuard(Callback):
    """Stop with a clear message as soon as an epoch's loss is not finite."""

    momentum = 0.0  # a class default: models pickled before it keep working

    def __init__(self, learning_rate, momentum=0.0):
        self.learning_rate = learning_rate
        self.momentum = momentum

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        for key in ("train_loss", "valid_loss"):
            if key in row and not torch.isfinite(torch.tensor(row[key])):
                raise FloatingPointError(
                    f"The training loss became {row[key]} at epoch {row['epoch']}: "
                    f"training diverged. {divergence_advice(self.learning_rate, self.momentum)}"
                )


class ConvergenceMonitor(Callback):
    """scikit-learn MLP's stopping rule, on the validation loss when there is one.

    Training stops once the monitored loss has not improved on its best value
    by at least ``tol`` (relative) for ``n_iter_no_change`` epochs. With a
    validation set the weights of the best validation epoch are restored at
    the end, as ``MLPRegressor(early_stopping=True)`` does.

    ``keep_going(net) -> bool``, when given, is asked before stopping: a
    plateau that the model can still leave (it has learned no more than the
    mean of the data, say) does not end training. ``on_plateau(net) -> bool``
    is asked next: True when it acted on the plateau (the "adaptive" learning
    rate was lowered, see :class:`LearningRateSchedule`) and training goes on.
    ``on_validation=False`` monitors the training loss even where a validation
    set is scored (a user's ``X_val`` without ``early_stopping``).
    """

    def __init__(self, tol, n_iter_no_change, keep_going=None, on_plateau=None):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.keep_going = keep_going
        self.on_plateau = on_plateau

    on_validation = True  # a class default: models pickled before it keep working

    def on_train_begin(self, net, **kwargs):
        # Reset here, not in initialize(): a warm-started fit reuses the callback.
        self.best_loss_ = float("inf")
        self.best_state_ = None
        self.stale_epochs_ = 0
        self.converged_ = False

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        if not self.on_validation:
            dataset_valid = None
        key = "train_loss" if dataset_valid is None else "valid_loss"
        loss = net.history[-1, key]
        # Relative to the best loss's magnitude: a VAE's loss can be negative,
        # and -0.9 after -1.0 is no improvement.
        margin = self.tol * abs(self.best_loss_) if math.isfinite(self.best_loss_) else 0.0
        if loss < self.best_loss_ - margin:
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
            if (self.keep_going is not None and self.keep_going(net)) or (
                self.on_plateau is not None and self.on_plateau(net)
            ):
                self.stale_epochs_ = 0
                return
            self.converged_ = True
            raise StopTraining

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is not None:
            net.module_.load_state_dict(self.best_state_)
            self.best_state_ = None


class EpochSnapshot(Callback):
    """The weights at the end of the last completed epoch (to rewind an interrupted one)."""

    def on_train_begin(self, net, **kwargs):
        self.state_ = None

    def on_epoch_end(self, net, **kwargs):
        self.state_ = {k: v.detach().clone() for k, v in net.module_.state_dict().items()}

    def on_train_end(self, net, **kwargs):
        self.state_ = None


class WeightAverage(Callback):
    """Train on, but end with, an exponential moving average of the weights.

    After every training step ``average = decay * average + (1 - decay) *
    weights``; at the end of training the average replaces the weights. With
    a neighbour term the codes of the last steps jitter around the map (a
    rate of 0.03, a stochastic loss): their average places unseen rows
    better (digits, held-out trustworthiness +0.005 over three seeds,
    RESULTS_neighbors.md).

    Parameters
    ----------
    decay : float
        In (0, 1): the average forgets a step's weights over about
        ``1 / (1 - decay)`` steps.
    """

    def __init__(self, decay):
        self.decay = decay

    def on_train_begin(self, net, **kwargs):
        self.average_ = {k: v.detach().clone() for k, v in net.module_.state_dict().items()}
        self.epoch_average_ = None

    def on_batch_end(self, net, training=False, **kwargs):
        if not training:
            return
        with torch.no_grad():
            for name, value in net.module_.state_dict().items():
                if value.is_floating_point():
                    self.average_[name].lerp_(value, 1.0 - self.decay)
                else:
                    self.average_[name].copy_(value)

    def on_epoch_end(self, net, **kwargs):
        # The average as the last completed epoch left it: an interrupted
        # epoch (Ctrl-C) leaves no trace in the fitted weights.
        self.epoch_average_ = {k: v.clone() for k, v in self.average_.items()}

    def on_train_end(self, net, **kwargs):
        if self.epoch_average_ is not None:
            net.module_.load_state_dict(self.epoch_average_)
        self.average_ = self.epoch_average_ = None


class LearningRateSchedule(Callback):
    """scikit-learn MLP's learning-rate schedules, plus cosine decay.

    Sets the learning rate of every parameter group at the end of each epoch
    (the next epoch trains with it):

    * ``"invscaling"``: ``lr_init / (t + 1) ** power_t`` with ``t`` the number
      of training samples seen so far, as ``MLPRegressor`` computes it
      (``t`` counts samples, and the rate changes once per epoch);
    * ``"cosine"``: ``lr_init * (1 + cos(pi * e / max_epochs)) / 2`` after
      epoch ``e`` of this fit, reaching 0 at ``max_epochs``;
    * ``"adaptive"``: unchanged until :class:`ConvergenceMonitor` sees a
      plateau; :meth:`on_plateau` then divides the rate by 5, or ends training
      once it is already at or below 1e-6 (MLP's rule).

    Parameters
    ----------
    kind : {"invscaling", "cosine", "adaptive"}
    lr_init : float
    max_epochs : int
    power_t : float, default=0.5
    """

    def __init__(self, kind, lr_init, max_epochs, power_t=0.5):
        self.kind = kind
        self.lr_init = lr_init
        self.max_epochs = max_epochs
        self.power_t = power_t

    def _set_lr(self, net, lr):
        for group in net.optimizer_.param_groups:
            group["lr"] = lr
        self.lr_ = lr

    # Set by partial_fit: its calls are one run, so "cosine" counts the epochs
    # of earlier calls and "adaptive" keeps the rate it lowered.
    resume = False

    def on_train_begin(self, net, X=None, **kwargs):
        # "invscaling" goes on from the samples a warm start or an earlier
        # partial_fit call has seen (MLP's ``t_`` carries over too); a warm
        # start restarts "cosine" and "adaptive" (a new run of max_iter epochs).
        seen = net.history[-1].get("samples_seen", 0) if len(net.history) else 0
        self.samples_seen_ = seen
        # A finished cosine cycle starts a new one (a warm restart) rather than
        # train on at a rate of 0.
        self.epochs_ = len(net.history) % self.max_epochs if self.resume else 0
        if self.kind == "invscaling":
            lr = self._invscaling()
        elif self.kind == "cosine":
            lr = self._cosine()
        elif self.resume and len(net.history):
            lr = net.optimizer_.param_groups[0]["lr"]
        else:
            lr = self.lr_init
        self._set_lr(net, lr)

    def _cosine(self):
        progress = min(self.epochs_ / self.max_epochs, 1.0)
        return self.lr_init * 0.5 * (1.0 + math.cos(math.pi * progress))

    def _invscaling(self):
        return self.lr_init / (self.samples_seen_ + 1) ** self.power_t

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        if training:
            self.samples_seen_ += batch[0].shape[0]

    def on_epoch_end(self, net, **kwargs):
        net.history.record("lr", self.lr_)  # the rate this epoch trained with
        net.history.record("samples_seen", self.samples_seen_)
        self.epochs_ += 1
        if self.kind == "invscaling":
            self._set_lr(net, self._invscaling())
        elif self.kind == "cosine":
            self._set_lr(net, self._cosine())

    def on_plateau(self, net):
        """Lower the rate on a plateau ("adaptive"); False means: stop training."""
        if self.kind != "adaptive" or self.lr_ <= 1e-6:
            return False
        self._set_lr(net, self.lr_ / 5.0)
        return True


class ProgressLog(Callback):
    """``verbose``: one aligned line per epoch, and a progress bar with ETA on a terminal.

    The bar (tqdm, on ``file``) counts epochs of this fit and shows the loss;
    tqdm hides it where ``file`` is not a terminal (logs, notebooks' captured
    output), which keeps only the lines. ``bar=True`` forces it on.
    """

    def __init__(self, max_epochs, file=None, bar=None):
        self.max_epochs = max_epochs
        self.file = file
        self.bar = bar

    def on_train_begin(self, net, **kwargs):
        # sys.stdout is looked up per fit: it may have been redirected since.
        self.file_ = self.file if self.file is not None else sys.stdout
        self.epochs_ = 0
        self.bar_ = tqdm(
            total=self.max_epochs,
            unit="epoch",
            file=self.file_,
            leave=False,
            dynamic_ncols=True,
            disable=None if self.bar is None else not self.bar,
        )

    def on_epoch_begin(self, net, **kwargs):
        self.start_ = time.perf_counter()

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        self.epochs_ += 1
        width = max(4, len(str(self.max_epochs)))
        parts = [
            f"epoch {self.epochs_:>{width}d}/{self.max_epochs}",
            f"loss {row['train_loss']:<12.6g}",
        ]
        if "valid_loss" in row:
            parts.append(f"validation loss {row['valid_loss']:<12.6g}")
        if "lr" in row:
            parts.append(f"lr {row['lr']:<10.4g}")
        parts.append(f"{time.perf_counter() - self.start_:8.2f}s")
        self.bar_.write("  ".join(parts), file=self.file_)
        self.bar_.set_postfix(loss=f"{row['train_loss']:.4g}", refresh=False)
        self.bar_.update()

    def on_train_end(self, net, **kwargs):
        self.bar_.close()
        # A fitted estimator is pickled with its net: no open stream in it.
        del self.bar_, self.file_
