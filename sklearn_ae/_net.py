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

import torch
from skorch import NeuralNet

# The callbacks live in _callbacks; their names stay importable from here.
from ._callbacks import (
    ConvergenceMonitor,
    DivergenceGuard,
    EpochSnapshot,
    LearningRateSchedule,
    ProgressLog,
    StopTraining,
    WeightAverage,
    divergence_advice,
)
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
