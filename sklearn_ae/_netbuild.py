"""How an autoencoder's parameters become a training net.

:class:`NetBuilderMixin` turns the estimator's training parameters into an
initialised :class:`~sklearn_ae._net.AutoencoderNet` (``_make_net``): the
optimizer and its settings, the batch size, the loss terms, the callbacks
(divergence guard, schedule, stopping rule, progress, the user's), and the
values ``"auto"`` stands for. It also reports the parameters that cannot act
with the others (``_inactive_parameters``). Its methods are the estimator's:
subclasses override them as hooks.
"""

import copy
import dataclasses
import warnings

import torch
from sklearn import get_config
from skorch.callbacks import Callback

from ._callbacks import (
    ConvergenceMonitor,
    DivergenceGuard,
    EpochSnapshot,
    LearningRateSchedule,
    ProgressLog,
    WeightAverage,
)
from ._corruption import make_corruption
from ._data import chunk_rows_for
from ._distributed import net_class
from ._neighbors import (
    NEIGHBOR_LEARNING_RATE,
    NEIGHBOR_TOL,
    NEIGHBOR_WEIGHT_AVERAGE,
    NeighborLoss,
    default_n_neighbors,
)
from ._penalties import L2Penalty
from ._tsne_map import TSNE_LEARNING_RATE, TSNEMap

__all__ = ["NetBuilderMixin"]

# scikit-learn MLP's solvers, plus AdamW. Fixed settings here; the tunable
# ones (momentum, betas, ...) come from the estimator's parameters.
_OPTIMIZERS = {
    "adam": (torch.optim.Adam, {}),
    "adamw": (torch.optim.AdamW, {}),
    "sgd": (torch.optim.SGD, {}),
    # One "iteration" is one LBFGS.step: up to 20 L-BFGS iterations.
    "lbfgs": (torch.optim.LBFGS, {"line_search_fn": "strong_wolfe"}),
}
_LEARNING_RATES = {"constant", "invscaling", "adaptive", "cosine"}


class NetBuilderMixin:
    """The training net the parameters make, for :class:`~sklearn_ae._base.BaseAutoencoder`."""

    def _inactive_parameters(self):
        """``(name, why)`` for each parameter set away from its default that cannot act.

        Subclasses extend the list with their own combinations.
        """
        defaults = {field.name: field.default for field in dataclasses.fields(self)}
        inactive = []

        def check(names, applies, why):
            inactive.extend(
                (name, why)
                for name in names
                if not applies and getattr(self, name) != defaults[name]
            )

        check(
            ("momentum", "nesterovs_momentum"), self.solver == "sgd", "used by solver='sgd' only"
        )
        check(
            ("beta_1", "beta_2", "epsilon"),
            self.solver in ("adam", "adamw"),
            "used by solver='adam' and 'adamw' only",
        )
        check(
            ("learning_rate",),
            self.solver != "lbfgs",
            "L-BFGS chooses its steps by line search; schedules apply to 'sgd', 'adam' and "
            "'adamw'",
        )
        check(("power_t",), self.learning_rate == "invscaling", "used by 'invscaling' only")
        check(
            ("batch_size",),
            self.solver != "lbfgs",
            "L-BFGS trains on the full batch, as scikit-learn's MLP does",
        )
        check(
            ("neighbor_weight", "n_neighbors"),
            self.neighbor_loss is not None,
            "used with neighbor_loss='umap' or 'tsne' only",
        )
        check(
            ("neighbor_transform",),
            self.neighbor_loss == "tsne",
            "used with neighbor_loss='tsne' only",
        )
        return inactive

    def _warn_inactive_parameters(self):
        # A warning, not an error: the model is well defined without the
        # parameter, and grid searches cross such combinations (scikit-learn's
        # LogisticRegression warns the same way about an unused l1_ratio).
        for name, why in self._inactive_parameters():
            warnings.warn(
                f"{type(self).__name__}: {name}={getattr(self, name)!r} has no effect here "
                f"({why}); leave it at its default or change the settings it depends on.",
                UserWarning,
                stacklevel=3,
            )
        if self.neighbor_loss == "umap":
            warnings.warn(
                "neighbor_loss='umap' is deprecated and will be removed in 0.3: its maps "
                "trail umap-learn's and those of neighbor_loss='tsne' on every benchmark "
                "set (benchmarks/RESULTS_neighbors.md). Use neighbor_loss='tsne', or "
                "umap-learn itself where you need UMAP.",
                FutureWarning,
                stacklevel=3,
            )

    def _auto_learning_rate(self, neighbors):
        """The rate ``learning_rate_init="auto"`` stands for."""
        if self.solver == "lbfgs":
            return 1.0
        if not neighbors:
            return 1e-3
        # Adam moves each weight by about the rate per step, whatever the loss's
        # scale: the UMAP term's codes end tens of units apart, which at 1e-3
        # take hundreds of epochs to reach; the t-SNE map is learnt at unit
        # spread (RESULTS_neighbors.md).
        return NEIGHBOR_LEARNING_RATE if self.neighbor_loss == "umap" else TSNE_LEARNING_RATE

    # What tol="auto" stands for without a neighbour term: training stops once
    # ten epochs in a row gain less than 1 % on the best loss. At 1e-4 the
    # loss of every family still creeps down after 200 epochs (digits, MNIST,
    # the UCR sets) while the test error has long levelled off, so every
    # default fit ended on max_iter with a ConvergenceWarning
    # (RESULTS_defaults.md). A subclass whose solver converges exactly sets
    # its own (LinearAE).
    _auto_tol = 1e-2

    # batch_size="auto" makes at least this many steps an epoch (see
    # auto_batch_size); 1 is MLP's min(200, n_samples).
    _auto_min_steps = 1

    def _stopping_tol(self, neighbors):
        """The ``tol`` of the stopping rule, ``"auto"`` resolved."""
        if self.tol != "auto":
            return self.tol
        # The UMAP term's map still improves at 1e-3 an epoch.
        return NEIGHBOR_TOL if neighbors and self.neighbor_loss == "umap" else self._auto_tol

    def _stops_on_validation(self):
        """Whether ``early_stopping`` is on (not ``"auto"``): validation loss ends training."""
        return not isinstance(self.early_stopping, str) and bool(self.early_stopping)

    def _watches_validation(self):
        """Whether ``early_stopping="auto"`` holds out rows in this fit.

        The training loss still ends training; the weights of the best
        validation epoch are kept for the fit to fall back on, and the
        held-out rows judge the model. Only RecurrentAE has ``"auto"``,
        decided from its training data (see there).
        """
        return False

    def _sgd_momentum(self):
        """The momentum SGD steps with (0 for the other solvers), for the advice on failure."""
        return self.momentum if self.solver == "sgd" else 0.0

    def _optimizer_kwargs(self):
        if self.solver == "sgd":
            # torch refuses Nesterov without momentum; MLP's is then plain SGD.
            nesterov = self.nesterovs_momentum and self.momentum > 0
            return {"momentum": self.momentum, "nesterov": nesterov}
        if self.solver in ("adam", "adamw"):
            return {"betas": (self.beta_1, self.beta_2), "eps": self.epsilon}
        return {}

    def _user_callbacks(self):
        """Fresh copies of the ``callbacks`` parameter: a fit never mutates it."""
        if not self.callbacks:
            return []
        callbacks = []
        for item in self.callbacks:
            named = isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
            callback = item[1] if named else item
            if not isinstance(callback, Callback):
                raise TypeError(
                    "callbacks must be a list of skorch callbacks (skorch.callbacks.Callback "
                    f"instances) or (name, callback) pairs, got {item!r}."
                )
            callbacks.append(_copy_callback(item))
        return callbacks

    def _make_net(
        self,
        n_features,
        device,
        n_samples,
        *,
        max_iter=None,
        learning_rate_init=None,
        pretraining=False,
        **overrides,
    ):
        """An initialised net training ``_build_module(n_features)`` as the parameters say.

        ``max_iter``, ``learning_rate_init`` and ``overrides`` (``AutoencoderNet``
        arguments such as ``module`` or ``criterion``) train something else on
        the same engine and settings, e.g. one stage of greedy layer-wise
        pretraining (``pretraining=True``: without the user's ``callbacks``).
        """
        max_iter = self.max_iter if max_iter is None else max_iter
        optimizer, optimizer_kwargs = _OPTIMIZERS[self.solver]
        optimizer_kwargs = {**optimizer_kwargs, **self._optimizer_kwargs()}
        penalties = list(self._penalties())
        if self.alpha and self.solver == "lbfgs":
            penalties.append(L2Penalty(self.alpha))
        elif self.alpha:
            optimizer_kwargs = {**optimizer_kwargs, "weight_decay": self.alpha}
        neighbors = self.neighbor_loss is not None and not pretraining
        if neighbors and self.neighbor_loss == "tsne":
            penalties.append(TSNEMap(self.neighbor_weight, self.n_neighbors, self.n_jobs))
        elif neighbors:
            penalties.append(
                NeighborLoss(self.neighbor_weight, default_n_neighbors(self.n_neighbors))
            )
        if self.solver == "lbfgs":
            # L-BFGS's curvature pairs and line search assume one objective;
            # on minibatches it diverges (batch_size=1: NaN at epoch 2).
            batch_size = -1
        elif self.batch_size != "auto":
            batch_size = min(self.batch_size, n_samples)
        else:
            batch_size = auto_batch_size(n_samples, self._auto_min_steps)
        lr = self.learning_rate_init if learning_rate_init is None else learning_rate_init
        if lr == "auto":
            lr = self._auto_learning_rate(neighbors=neighbors)
        callbacks = [
            ("snapshot", EpochSnapshot()),  # first: the weights as the epoch left them
            ("divergence", DivergenceGuard(lr, self._sgd_momentum())),
        ]
        if neighbors and self.solver != "lbfgs":
            # Before the convergence monitor: its best validation weights
            # (early_stopping) take precedence over the average.
            callbacks.append(("average", WeightAverage(NEIGHBOR_WEIGHT_AVERAGE)))
        schedule = None
        if self.learning_rate != "constant" and self.solver != "lbfgs":
            schedule = LearningRateSchedule(self.learning_rate, lr, max_iter, self.power_t)
            callbacks.append(("schedule", schedule))
        on_plateau = None if schedule is None else schedule.on_plateau
        monitor = ConvergenceMonitor(
            self._stopping_tol(neighbors), self.n_iter_no_change, on_plateau=on_plateau
        )
        stops = self._stops_on_validation()
        watches = not stops and not pretraining and self._watches_validation()
        if watches:
            monitor.on_validation, monitor.keep_best_validation = False, True
        callbacks.append(("convergence", monitor))
        if self.verbose:
            callbacks.append(("progress", ProgressLog(max_iter)))
        user = [] if pretraining else self._user_callbacks()
        callbacks += user
        kwargs = dict(
            corruption=make_corruption(self.noise, self.noise_level),
            penalties=penalties,
            validation_fraction=self.validation_fraction if stops or watches else None,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_iter,
            batch_size=batch_size,
            callbacks=callbacks,
            device=device,
            chunk_rows=chunk_rows_for(n_features or 1, get_config()["working_memory"]),
            verbose=0,
            **{f"optimizer__{k}": v for k, v in optimizer_kwargs.items()},
        )
        kwargs.update(overrides)
        if "module" not in kwargs:
            kwargs["module"] = self._build_module(n_features)
        kwargs.setdefault("criterion", self._build_criterion())
        if self.solver == "lbfgs" and _deterministic(kwargs["module"], kwargs):
            # Full-batch L-BFGS on a fixed objective: an iteration (up to 20
            # L-BFGS steps) that gains less than tol has converged, and the
            # next would gain no more. scikit-learn's MLP likewise applies
            # n_iter_no_change to its stochastic solvers only.
            monitor.n_iter_no_change = 1
        net = net_class()(**kwargs).initialize()
        # The user's callbacks come last, named by skorch (their class name
        # where no name was given): callbacks_ reads them back.
        net.user_callback_names = [
            name for name, _ in net.callbacks_[len(net.callbacks_) - len(user) :]
        ]
        return net


# Smallest batch that batch_size="auto" splits an epoch into.
AUTO_MIN_BATCH = 32


def auto_batch_size(n_samples, min_steps=1):
    """``batch_size="auto"``: MLP's ``min(200, n_samples)``, in ``min_steps`` batches or more.

    More steps only while batches keep ``AUTO_MIN_BATCH`` rows.
    """
    return min(200, n_samples, max(AUTO_MIN_BATCH, -(-n_samples // min_steps)))


def _deterministic(module, net_kwargs):
    """Whether a training step computes the same loss twice on the same weights.

    Not with input noise, sampling modules (a VAE's ``generator``), dropout or
    terms that sample (the neighbour loss's edges).
    """
    samplers = (torch.nn.modules.dropout._DropoutNd, torch.nn.AlphaDropout)
    return (
        net_kwargs.get("corruption") is None
        and not any(hasattr(term, "bind") for term in net_kwargs.get("penalties", ()))
        and not any(hasattr(m, "generator") or isinstance(m, samplers) for m in module.modules())
    )


def _copy_callback(item):
    """A copy of a ``callbacks`` entry (a callback or a (name, callback) pair).

    Deep, except for callbacks holding a resource (a SummaryWriter's thread
    lock), which share it: a shallow copy still keeps what a fit sets on the
    callback off the parameter.
    """
    try:
        return copy.deepcopy(item)
    except TypeError:
        if isinstance(item, tuple):
            return item[0], copy.copy(item[1])
        return copy.copy(item)
