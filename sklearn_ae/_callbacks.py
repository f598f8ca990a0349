"""The callbacks every fit trains with, and the signal they stop it by.

:meth:`~sklearn_ae._netbuild.NetBuilderMixin._make_net` puts them on each
:class:`~sklearn_ae._net.AutoencoderNet`: the weights an epoch left
(:class:`EpochSnapshot`), a guard against a loss that is not finite, the
weight average of a neighbour map, the learning-rate schedules, the stopping
rule (:class:`ConvergenceMonitor`) and the ``verbose`` progress log. A callback
ends training by raising :class:`StopTraining`.
"""

import math
import sys
import time

import torch
from skorch.callbacks import Callback
from tqdm.auto import tqdm

__all__ = [
    "ConvergenceMonitor",
    "DivergenceGuard",
    "EpochSnapshot",
    "LearningRateSchedule",
    "ProgressLog",
    "StopTraining",
    "WeightAverage",
    "divergence_advice",
]


# Below this share of the loss_scale (the mean's error) of ConvergenceMonitor,
# gains count against it rather than against the loss itself.
LOSS_SCALE_SHARE = 1e-2


class StopTraining(Exception):
    """Raised by a callback to end training after the current epoch."""


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

    ``keep_going(net, loss) -> bool``, when given, is asked before stopping
    (``loss``: the monitored loss of the epoch): a plateau that the model can
    still leave (it has learned no more than the mean of the data, say) does
    not end training, up to ``max_holds`` times; after that, training stops
    and ``stuck_`` says that the model never left it. ``on_plateau(net) -> bool``
    is asked next: True when it acted on the plateau (the "adaptive" learning
    rate was lowered, see :class:`LearningRateSchedule`) and training goes on.
    ``on_validation=False`` monitors the training loss even where a validation
    set is scored (a user's ``X_val`` without ``early_stopping``);
    ``keep_best_validation=True`` then still keeps the weights of the best
    validation epoch in ``best_state_``, for the fit to fall back on
    (RecurrentAE on few sequences).
    """

    def __init__(self, tol, n_iter_no_change, keep_going=None, on_plateau=None):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.keep_going = keep_going
        self.on_plateau = on_plateau

    on_validation = True  # a class default: models pickled before it keep working
    # The error of predicting the data's mean, in the loss's units (set by the
    # fit): gains are measured against at least LOSS_SCALE_SHARE of it, so a
    # loss heading to 0 (an 8-d code of 10 standardised features) stops once
    # an epoch gains less than tol of a hundredth of the data's variance.
    loss_scale = 0.0
    keep_best_validation = False
    # Plateaus keep_going may overrule in one fit (each n_iter_no_change
    # stale epochs): a random start that sits at the mean's error leaves it
    # within a few (digits / 255: about 20 epochs), while a model that cannot
    # (20 Newsgroups' TF-IDF rows, SparseAE) trained on to max_iter.
    max_holds = 5

    def on_train_begin(self, net, **kwargs):
        # Reset here, not in initialize(): a warm-started fit reuses the callback.
        self.best_loss_ = float("inf")
        self.best_validation_ = float("inf")
        self.best_state_ = None
        self.stale_epochs_ = 0
        self.converged_ = False
        self.held_on_plateau_ = None  # the epoch keep_going first overruled a plateau
        self.holds_ = 0
        self.stuck_ = False  # stopped on a plateau keep_going still asked to hold

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        if not self.on_validation:
            if dataset_valid is not None and self.keep_best_validation:
                loss = net.history[-1, "valid_loss"]
                if loss < self.best_validation_:
                    self.best_validation_ = loss
                    self.best_state_ = _state(net)
            dataset_valid = None
        key = "train_loss" if dataset_valid is None else "valid_loss"
        loss = net.history[-1, key]
        # Relative to the best loss's magnitude: a VAE's loss can be negative,
        # and -0.9 after -1.0 is no improvement. Near 0, relative to the
        # data's scale instead: a loss that halves every 50 epochs gains over
        # 1 % an epoch for ever (diabetes, 8-d code: 3e-4 of the variance
        # after 200 epochs, still falling, test error long level).
        scale = max(abs(self.best_loss_), LOSS_SCALE_SHARE * self.loss_scale)
        margin = self.tol * scale if math.isfinite(self.best_loss_) else 0.0
        if loss < self.best_loss_ - margin:
            self.stale_epochs_ = 0
        else:
            self.stale_epochs_ += 1
        if loss < self.best_loss_:
            self.best_loss_ = loss
            if dataset_valid is not None:
                self.best_state_ = _state(net)
        if self.stale_epochs_ >= self.n_iter_no_change:
            if self.keep_going is not None and self.keep_going(net, loss):
                if self.holds_ < self.max_holds:
                    self.holds_ += 1
                    self.stale_epochs_ = 0
                    if self.held_on_plateau_ is None:
                        self.held_on_plateau_ = len(net.history)
                    return
                self.stuck_ = True
            if self.on_plateau is not None and self.on_plateau(net):
                self.stale_epochs_ = 0
                return
            self.converged_ = True
            raise StopTraining

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is not None and not self.keep_best_validation:
            net.module_.load_state_dict(self.best_state_)
            self.best_state_ = None


def _state(net):
    """A copy of the module's weights."""
    return {k: v.detach().clone() for k, v in net.module_.state_dict().items()}


class EpochSnapshot(Callback):
    """The weights at the end of the last completed epoch (to rewind an interrupted one)."""

    def on_train_begin(self, net, **kwargs):
        self.state_ = None

    def on_epoch_end(self, net, **kwargs):
        self.state_ = _state(net)

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
        self.average_ = _state(net)
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
