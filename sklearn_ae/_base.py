"""The scikit-learn side shared by every autoencoder: parameters, validation,
fitting through :class:`~sklearn_ae._net.AutoencoderNet`, inference.

A concrete estimator adds its own parameters and overrides a few hooks:
``_build_module`` (always), and where needed ``_penalties``,
``_build_criterion``, ``_validate_input``/``_to_output`` (non-tabular layouts),
``_score_batch`` or ``_pretrain`` (work on a freshly built net before training,
e.g. greedy layer-wise pretraining through ``_make_net``).
"""

import copy
import dataclasses
import numbers
import sys
import warnings
import weakref
from abc import ABCMeta, abstractmethod

import numpy as np
import torch
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch.callbacks import Callback

from ._checks import check_parameter_values
from ._corruption import make_corruption
from ._data import RowData, chunk_rows_for, iter_row_chunks
from ._diagnostics import FitDiagnostics, check_data_scale
from ._distributed import net_class
from ._losses import ReconstructionLoss
from ._neighbors import (
    NEIGHBOR_LEARNING_RATE,
    NEIGHBOR_TOL,
    NEIGHBOR_WEIGHT_AVERAGE,
    NeighborLoss,
    default_n_neighbors,
)
from ._net import (
    ConvergenceMonitor,
    DivergenceGuard,
    EpochSnapshot,
    LearningRateSchedule,
    ProgressLog,
    WeightAverage,
    divergence_advice,
)
from ._penalties import L2Penalty
from ._persistence import estimator_state, restore_estimator
from ._runtime import (
    choose_num_threads,
    compute_context,
    draw_seed,
    make_generator,
    resolve_device,
    seed_from_random_state,
    seeded_global_rng,
)

__all__ = ["BaseAutoencoder", "check_positive_ints", "estimator_parameters"]

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


def _same_param(a, b):
    """Whether two values of one parameter are the same setting (lists equal tuples)."""
    if isinstance(a, list | tuple | np.ndarray) and isinstance(b, list | tuple | np.ndarray):
        return len(a) == len(b) and all(_same_param(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except (TypeError, ValueError, RuntimeError):
        return a is b


def check_positive_ints(value, name):
    """``value`` as a tuple of ints, or a ValueError naming parameter ``name``."""
    values = tuple(value)
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values) or (
        not all(v >= 1 for v in values)
    ):
        raise ValueError(f"{name} must be a sequence of positive integers, got {value!r}.")
    return tuple(int(v) for v in values)


# scikit-learn reads an estimator's parameters from its ``__init__`` signature,
# and that ``__init__`` may only store them. A dataclass generates exactly such
# an ``__init__`` from field declarations, so each estimator declares only the
# parameters it adds or whose defaults it changes instead of restating them all
# (no __eq__/__repr__: estimators keep identity equality and sklearn's repr).
estimator_parameters = dataclasses.dataclass(eq=False, repr=False, kw_only=True)


# Inference in float64 needs a float64 copy of the module. It is made once and
# kept until the weights change (torch bumps a tensor's ``_version`` on every
# in-place update: optimizer steps, ``load_state_dict``), outside the
# estimator so that it is never pickled.
_DTYPE_COPIES = weakref.WeakKeyDictionary()


def _module_in_dtype(module, dtype):
    if dtype == next(module.parameters()).dtype:
        return module
    versions = tuple(t._version for t in (*module.parameters(), *module.buffers()))
    cached = _DTYPE_COPIES.get(module)
    if cached is None or cached[0] != (dtype, versions):
        cached = ((dtype, versions), copy.deepcopy(module).to(dtype))
        _DTYPE_COPIES[module] = cached
    return cached[1]


def infer_in_dtype(module, X, fn, device, n_rows, n_threads, out_dtype):
    """``fn(module, chunk)`` over chunks of ``n_rows`` rows of ``X``, computed in ``out_dtype``.

    ``module`` runs as a cached copy in float64 where ``out_dtype`` is
    float64 (float32 otherwise), in eval mode, with ``n_threads`` threads.
    Returns the concatenated outputs as a numpy array of ``out_dtype``.
    """
    out_dtype = np.dtype(out_dtype)
    dtype = torch.float64 if out_dtype == np.float64 else torch.float32
    module = _module_in_dtype(module, dtype)
    module.eval()
    with compute_context(n_threads, flush_denormal=False), torch.inference_mode():
        parts = [fn(module, x).cpu().numpy() for x in iter_row_chunks(X, n_rows, device, dtype)]
    return np.concatenate(parts).astype(out_dtype, copy=False)


@estimator_parameters
class BaseAutoencoder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator, metaclass=ABCMeta
):
    """Base class of all autoencoders: subclass it for a new one.

    A subclass declares its parameters as dataclass fields and implements
    ``_build_module(n_features)``; the API reference shows an example. See
    :class:`~sklearn_ae.StackedAE` for the parameters every subclass shares.
    """

    _parameter_constraints = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "loss": [StrOptions({"mse", "bce"})],
        "noise": [StrOptions({"gaussian", "masking", "dropout"}), None],
        "noise_level": [Interval(numbers.Real, 0, None, closed="left")],
        "solver": [StrOptions(set(_OPTIMIZERS))],
        "learning_rate": [StrOptions(_LEARNING_RATES)],
        "learning_rate_init": [
            StrOptions({"auto"}),
            Interval(numbers.Real, 0, None, closed="neither"),
        ],
        "power_t": [Interval(numbers.Real, 0, None, closed="left")],
        "momentum": [Interval(numbers.Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "beta_1": [Interval(numbers.Real, 0, 1, closed="left")],
        "beta_2": [Interval(numbers.Real, 0, 1, closed="left")],
        "epsilon": [Interval(numbers.Real, 0, None, closed="neither")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left"), StrOptions({"auto"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
        "device": [str],
        "n_jobs": [Interval(numbers.Integral, -1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, tuple, None],
        "neighbor_loss": [StrOptions({"umap", "tsne"}), None],
        "neighbor_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }

    # Parameters a warm start may change: they steer training, not the model.
    # A change of any other parameter would be silently ignored by a warm
    # start, so it raises instead. Subclasses add their loss-term weights.
    _warm_start_mutable = frozenset(
        {
            "noise",
            "noise_level",
            "solver",
            "learning_rate",
            "learning_rate_init",
            "power_t",
            "momentum",
            "nesterovs_momentum",
            "beta_1",
            "beta_2",
            "epsilon",
            "callbacks",
            "alpha",
            "batch_size",
            "max_iter",
            "tol",
            "early_stopping",
            "validation_fraction",
            "n_iter_no_change",
            "warm_start",
            "device",
            "n_jobs",
            "random_state",
            "verbose",
            "pretrain",
            "pretrain_max_iter",
            "pretrain_learning_rate_init",
            # The neighbour graph is built anew by every fit.
            "neighbor_loss",
            "neighbor_weight",
            "n_neighbors",
        }
    )

    n_components: int = dataclasses.field(default=2, kw_only=False)
    loss: str = "mse"
    noise: str | None = None
    noise_level: float = 0.1
    solver: str = "adam"
    learning_rate: str = "constant"
    learning_rate_init: float | str = 0.001
    power_t: float = 0.5
    momentum: float = 0.9
    nesterovs_momentum: bool = True
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    alpha: float = 0.0
    batch_size: int | str = "auto"
    max_iter: int = 200
    tol: float | str = "auto"
    early_stopping: bool = False
    validation_fraction: float = 0.1
    n_iter_no_change: int = 10
    warm_start: bool = False
    device: str = "auto"
    n_jobs: int | None = None
    random_state: object = None
    verbose: bool | int = False
    callbacks: list | None = None
    neighbor_loss: str | None = None
    neighbor_weight: float = 1.0
    n_neighbors: int | None = None

    def _validate_params(self):
        super()._validate_params()
        check_parameter_values(self)  # values the constraints let through, torch does not

    # ----------------------------------------------------------------- hooks
    @abstractmethod
    def _build_module(self, n_features):
        """The torch module to train, for inputs of ``n_features`` columns."""

    def _penalties(self):
        """Terms added to the reconstruction loss: ``f(module, x_in, out) -> scalar``."""
        return []

    def _build_criterion(self):
        return ReconstructionLoss(self.loss)

    def _validate_input(self, X, reset):
        """Check ``X`` and return it as a 2-d float array or CSR matrix."""
        return validate_data(
            self, X, reset=reset, accept_sparse="csr", dtype=[np.float64, np.float32]
        )

    def _to_output(self, X_flat):
        """Put reconstructions back in the layout the model was fitted on."""
        return X_flat

    def _validate_nd(self, X, reset, *, max_ndim, **check_params):
        """Check 2-d to ``max_ndim``-d ``X``; return it flattened to 2-d and one sample's shape.

        Images and sequences arrive as (n, H, W), (n, C, H, W) or (n, T, C)
        arrays, but the engine and ``n_features_in_`` see rows of features.
        """
        check_params = {"dtype": [np.float64, np.float32], **check_params}
        ndim = getattr(X, "ndim", None)
        if ndim is None:  # lists; other array-likes are left to validate_data
            ndim = np.ndim(X) if isinstance(X, list | tuple) else 2
        if ndim <= 2:
            X = validate_data(self, X, reset=reset, **check_params)
            return X, X.shape[1:]
        if ndim > max_ndim:
            raise ValueError(
                f"{type(self).__name__} expects at most {max_ndim}-d input, got X with "
                f"{ndim} dimensions."
            )
        check_params.pop("accept_sparse", None)
        X = check_array(X, allow_nd=True, input_name="X", **check_params)
        flat = validate_data(self, X.reshape(X.shape[0], -1), reset=reset, **check_params)
        return flat, X.shape[1:]

    def _module_out_activation(self):
        """``out_activation`` for the module: raw logits where the loss applies the sigmoid.

        For estimators with an ``out_activation`` parameter.
        """
        if self.loss != "bce":
            return self.out_activation
        if self.out_activation not in ("identity", "logistic"):
            raise ValueError(
                f"loss='bce' gives a sigmoid output (trained on its logits), which "
                f"out_activation={self.out_activation!r} contradicts: use "
                "out_activation='logistic' (or the default 'identity', the same model "
                "with this loss), or loss='mse' for another output activation."
            )
        return "identity"

    def _flops_per_sample(self, module):
        """Floating-point operations of one forward pass of one sample (for thread choice).

        Two per weight suits dense layers; convolutions cost far more than
        their weight count and override this.
        """
        return 2 * sum(p.numel() for p in module.parameters())

    def _activation_width(self, n_features):
        """Floats the module holds per row at inference (widest activation), for chunking."""
        return max(n_features, self.n_components)

    def _score_batch(self, module, x):
        """Per-sample score of a batch: negative mean squared reconstruction error."""
        recon = self.net_.criterion_.output(module(x)["recon"])
        mse = ReconstructionLoss("mse", masked=self.net_.criterion_.masked)
        return -mse.per_sample(recon, x)

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None, X_val=None):
        """Train the autoencoder on ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse input is densified one batch at a time.
        y : Ignored
            Not used, present for API consistency by convention.
        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), default=None
            Your own validation set, as Keras's ``validation_data`` and
            ``HistGradientBoostingRegressor``'s ``X_val``: its loss is
            recorded every epoch (``validation_loss_curve_``) and, with
            ``early_stopping=True``, it replaces the random hold-out of
            ``validation_fraction``: training stops on its loss and keeps the
            weights of its best epoch. Without ``early_stopping`` the stopping
            rule watches the training loss. Inside a
            :class:`~sklearn.pipeline.Pipeline` or a grid search, request it
            with ``set_fit_request(X_val=True)`` (metadata routing), and pass
            ``transform_input=["X_val"]`` to the pipeline so that the steps
            before transform it as they transform ``X``. A search splits
            metadata with as many rows as ``X`` by its folds, as it splits
            ``X``: give ``X_val`` another number of rows there.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        FloatingPointError
            Training diverged: the loss or the weights became NaN or infinite,
            or the reconstruction error ended above both its value before
            training and the error of predicting the mean of the data.
        ValueError
            ``X`` holds values beyond 1e15 in magnitude (scale the data), or a
            warm start would change a parameter that shapes the model.
        KeyboardInterrupt
            Ctrl-C stops the whole fit (pretraining stages too) and propagates.
            The estimator then holds the epochs completed so far (weights,
            ``n_iter_`` and ``loss_curve_`` agree) or, when none completed,
            its state before the call.

        Warns
        -----
        ConvergenceWarning
            ``max_iter`` ended training before the stopping rule did; every
            code unit is constant on the training data (dead codes); or the
            reconstruction is no better than the mean's. Training does not
            stop on a plateau while the model is still that close to the mean.
        UserWarning
            The data's spread is far from the unit scale the defaults expect.

        Notes
        -----
        Any other failure leaves an earlier fitted model exactly as it was.
        """
        self._validate_params()
        self._warn_inactive_parameters()
        before = dict(vars(self))
        try:
            self._fit(X, X_val)
        except KeyboardInterrupt:
            # Interrupted after at least one epoch, _fit has kept the epochs
            # completed so far; before the first, nothing changes.
            if vars(self).get("net_") is before.get("net_"):
                vars(self).clear()
                vars(self).update(before)
            raise
        except BaseException:
            # A failed fit must leave an earlier fitted model as it was.
            vars(self).clear()
            vars(self).update(before)
            raise
        return self

    def _check_same_model(self, how, remedy):
        """Raise if a parameter that shapes the model changed since it was initialised.

        ``how`` says what continues the model, ``remedy`` how to start a new one.
        """
        fitted = getattr(self, "_params_at_fit", {})
        for name, value in self.get_params(deep=False).items():
            if name in self._warm_start_mutable or name not in fitted:
                continue
            if not _same_param(value, fitted[name]):
                raise ValueError(
                    f"{how} continues training the fitted model, which was built with "
                    f"{name}={fitted[name]!r}; it cannot take {name}={value!r}. {remedy} "
                    "to start a new model, or restore the parameter."
                )

    def _fit(self, X, X_val=None):
        warm = self.warm_start and hasattr(self, "net_")
        if warm:
            self._check_same_model("warm_start=True", "Set warm_start=False")
        X = self._validate_input(X, reset=not warm)
        if X_val is not None:
            X_val = self._validate_input(X_val, reset=False)
        check_data_scale(X, type(self).__name__, self.loss)
        device = resolve_device(self.device)
        seed = seed_from_random_state(self.random_state)
        if warm:
            # The optimizer is new, as scikit-learn's MLP makes it on warm start.
            net = self._continued_net(X.shape[1], device, X.shape[0])
        else:
            with seeded_global_rng(seed):
                net = self._make_net(X.shape[1], device, X.shape[0])
        net.generator = make_generator(seed, device)
        with compute_context(self._training_threads(net, X.shape[0])):
            data = RowData(X, device)
            if not warm:
                self._pretrain(net, data)
            if X_val is not None:
                net.validation_fraction = None
                net.validation_data = RowData(X_val, device)
                dict(net.callbacks_)["convergence"].on_validation = self.early_stopping
            self._train(net, data)
        self._set_fitted(net)
        monitor = dict(net.callbacks_)["convergence"]
        if not monitor.converged_:
            warnings.warn(
                f"{type(self).__name__} stopped at max_iter={self.max_iter} before the loss "
                f"improved by less than tol={monitor.tol} for {monitor.n_iter_no_change} "
                "consecutive epochs; increase max_iter to train longer.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _training_threads(self, net, n_rows):
        """Torch threads for training ``net`` on ``n_rows`` rows (forward + backward)."""
        batch = n_rows if net.batch_size == -1 else min(net.batch_size, n_rows)
        work = 3 * batch * self._flops_per_sample(net.module_)
        return choose_num_threads(self.n_jobs, work, probe_load=True)

    def _train(self, net, data):
        """Train ``net`` on ``data`` (a ``RowData``) and check what came out.

        Raises if the model diverged (even to a finite loss); warns if it is
        useless. On Ctrl-C after at least one epoch, the epochs completed so
        far become the fitted model before the interrupt propagates.
        """
        # Terms that need the whole training set (the neighbour graph) get it
        # here and drop it after, so that a fitted model does not hold it.
        # Masking noise keeps its per-feature fill, a few numbers.
        bound = [term for term in net.penalties if hasattr(term, "bind")]
        for term in bound:
            term.bind(data, random_state=draw_seed(net.generator))
        if hasattr(net.corruption, "bind"):  # deterministic: draws nothing
            net.corruption.bind(data)
        diagnostics = FitDiagnostics(net.criterion_, data.evenly_spaced(min(2048, net.chunk_rows)))
        epochs_before = len(net.history)
        start_error = diagnostics.error(net.module_)
        neighbors = any(isinstance(term, NeighborLoss) for term in bound)
        competing = f"neighbor_loss={self.neighbor_loss!r}" if neighbors else None
        # The map is judged on fresh fits only: a warm start may begin from a
        # map the term already made, which it then need not improve by much.
        judge_map = neighbors and not epochs_before
        if judge_map:
            start_trust = diagnostics.map_trustworthiness(net.module_)
        monitor = dict(net.callbacks_)["convergence"]
        monitor.keep_going = lambda net: diagnostics.near_mean(net.module_)
        try:
            net.partial_fit(data)
        except KeyboardInterrupt:
            if net.epochs_completed_:
                self._set_fitted(net)
            raise
        finally:
            monitor.keep_going = None
            net.generator = None
            validation = vars(net).pop("validation_rows_", None)
            net.validation_data = None  # a fitted model holds no data
            for term in bound:
                term.release()
        curve = [row["train_loss"] for row in net.history[epochs_before:]]
        diagnostics.check(
            type(self).__name__,
            net.module_,
            start_error,
            divergence_advice(net.lr, self._sgd_momentum()),
            competing=competing,
            objective_rose=len(curve) > 1 and curve[-1] > curve[0],
        )
        if validation is not None and len(validation):
            rows = validation.evenly_spaced(len(diagnostics.sample))
            diagnostics.check_overfit(type(self).__name__, net.module_, rows)
        if judge_map:
            diagnostics.check_map(
                type(self).__name__,
                start_trust,
                diagnostics.map_trustworthiness(net.module_),
                competing,
                net.lr,
            )

    def _set_fitted(self, net):
        self.net_ = net
        self._params_at_fit = self.get_params(deep=False)
        history = net.history
        self.n_iter_ = len(history)
        self.loss_curve_ = list(history[:, "train_loss"])
        if len(history) and "valid_loss" in history[-1]:
            self.validation_loss_curve_ = [row.get("valid_loss") for row in history]
            self.best_validation_loss_ = min(
                v for v in self.validation_loss_curve_ if v is not None
            )
        else:  # none this time: an earlier fit's would mislead
            vars(self).pop("validation_loss_curve_", None)
            vars(self).pop("best_validation_loss_", None)

    def _check_partial_fit(self):
        if self.solver == "lbfgs":
            raise AttributeError(
                f"partial_fit needs a stochastic optimizer, but {type(self).__name__} has "
                "solver='lbfgs', which works on the whole data at once: pass "
                "solver='adam' (or 'sgd')."
            )
        return True

    @available_if(_check_partial_fit)
    def partial_fit(self, X, y=None, *, epochs=1):
        """Continue training on the batch ``X``: ``epochs`` passes over it (default one).

        The first call initialises the model; later calls keep the weights and
        the optimizer's state (Adam's moments, momentum) and expect the same
        features. Feed a data set larger than memory block by block, e.g.
        ``for block in sklearn_ae.utils.iter_chunks(X_memmap, 10_000):
        ae.partial_fit(block)`` once per epoch. Only the block given is held in
        memory; it is split into minibatches of ``batch_size`` rows as in
        :meth:`fit`. Available for the stochastic optimizers (not
        ``solver="lbfgs"``), as for scikit-learn's ``MLPRegressor``.

        An iteration is one pass over the batch given: ``n_iter_`` counts the
        passes of all calls since the model was initialised (by the first
        ``partial_fit`` or by :meth:`fit`), and ``loss_curve_`` holds each
        pass's mean training loss on its own batch. ``max_iter``, ``tol`` and
        ``n_iter_no_change`` apply within one call only, with ``epochs`` in place
        of ``max_iter``, so they never end later calls: the caller decides when
        to stop, e.g. on :meth:`score` of held-out rows. The calls are one run
        for the learning-rate schedules: ``"cosine"`` decays over ``max_iter``
        passes counted across calls (then starts a new cycle), ``"adaptive"``
        keeps a rate it lowered, ``"invscaling"`` counts all samples seen.
        ``early_stopping=True``
        and greedy pretraining need the whole data set and are refused; fit a
        first block with :meth:`fit` to pretrain, then continue with
        ``partial_fit``. Training parameters changed between calls (the rate,
        the solver's settings, ``noise``, ``batch_size``) apply from the next
        call, which keeps the optimizer's state unless ``solver`` changed; one
        that shapes the network (``n_components``, ``hidden_layer_sizes``, ...)
        is refused: call :meth:`fit` for a new model. A call that fails leaves
        the model as it was; Ctrl-C keeps the passes completed, as in :meth:`fit`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One batch (block) of training data.
        y : Ignored
            Not used, present for API consistency by convention.
        epochs : int, default=1
            Passes over ``X`` in this call.

        Returns
        -------
        self : object
            The updated estimator.
        """
        self._validate_params()
        if not isinstance(epochs, numbers.Integral) or isinstance(epochs, bool) or epochs < 1:
            raise ValueError(f"epochs must be a positive integer, got {epochs!r}.")
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True (it needs the whole data "
                "set to hold out a validation part); set early_stopping=False and watch "
                "score() on held-out rows between calls."
            )
        if self.neighbor_loss is not None:
            raise ValueError(
                f"partial_fit does not support neighbor_loss={self.neighbor_loss!r}: the "
                "neighbour graph is built from the whole training set. Call fit (with "
                "warm_start=True to continue a model), or set neighbor_loss=None."
            )
        if getattr(self, "pretrain", None) is not None:
            raise ValueError(
                f"partial_fit does not support pretrain={self.pretrain!r}, which trains "
                "layer by layer on the whole data set: call fit on a first block to "
                "pretrain, then partial_fit on the others, or set pretrain=None."
            )
        before = dict(vars(self))
        state = _training_state(self.net_) if hasattr(self, "net_") else None
        try:
            self._partial_fit(X, int(epochs))
        except BaseException as exc:
            # As for fit: Ctrl-C keeps the epochs completed (_train made them
            # the model); a failed call leaves the model as it was.
            if isinstance(exc, KeyboardInterrupt) and (
                vars(self).get("n_iter_") != before.get("n_iter_")
            ):
                vars(self).pop("validation_loss_curve_", None)  # of an earlier fit
                vars(self).pop("best_validation_loss_", None)
                raise
            vars(self).clear()
            vars(self).update(before)
            if state is not None:
                _restore_training_state(self.net_, state)
            raise
        return self

    def _partial_fit(self, X, epochs):
        first = not hasattr(self, "net_")
        X = self._validate_input(X, reset=first)
        check_data_scale(X, type(self).__name__, self.loss)
        device = resolve_device(self.device) if first else torch.device(self.net_.device)
        seed = seed_from_random_state(self.random_state)
        if first:
            with seeded_global_rng(seed):
                # Batches of batch_size rows whatever the first block's length.
                net = self._make_net(X.shape[1], device, sys.maxsize)
        else:
            self._check_same_model("partial_fit", "Call fit")
            net = self._net_with_current_settings(X.shape[1])
            # An int random_state would otherwise replay the first call's
            # shuffles and noise on every block.
            seed = int(np.random.SeedSequence([seed, len(net.history)]).generate_state(1)[0])
        net.generator = make_generator(seed, device)
        net.max_epochs = epochs
        net.validation_fraction = None  # a net from fit(early_stopping=True)
        schedule = dict(net.callbacks_).get("schedule")
        if schedule is not None:
            schedule.resume = True
        with compute_context(self._training_threads(net, X.shape[0])):
            data = RowData(X, device)
            if first:
                self._pretrain(net, data)
            self._train(net, data)
        for name in ("validation_loss_curve_", "best_validation_loss_"):
            vars(self).pop(name, None)
        self._set_fitted(net)

    def _continued_net(self, n_features, device, n_samples):
        """A net of the current parameters around a copy of ``net_``'s module, with its history.

        A copy, so that a failing call leaves ``net_`` as it was; a new optimizer.
        """
        net = self._make_net(
            n_features, device, n_samples, module=copy.deepcopy(self.net_.module_)
        )
        net.history = copy.deepcopy(self.net_.history)
        return net

    def _net_with_current_settings(self, n_features):
        """``net_``, or a copy built from the current training parameters if any changed.

        Between ``partial_fit`` calls a user may change the rate, the solver's
        settings, the noise or the batch size (a schedule of their own). The
        copy keeps the weights, the history and, for the same solver, the
        optimizer's state (Adam's moments, momentum) with the new settings.
        """
        net = self.net_
        fitted = getattr(self, "_params_at_fit", {})
        current = self.get_params(deep=False)
        per_call = {"random_state", "max_iter", "warm_start"}  # read by each call itself
        if all(
            _same_param(current[name], fitted[name])
            for name in fitted.keys() - per_call
            if name in current
        ):
            return net
        new = self._continued_net(n_features, torch.device(net.device), sys.maxsize)
        if self.solver == fitted.get("solver"):
            settings = [
                {k: v for k, v in group.items() if k != "params"}
                for group in new.optimizer_.param_groups
            ]
            new.optimizer_.load_state_dict(net.optimizer_.state_dict())
            for group, setting in zip(new.optimizer_.param_groups, settings, strict=True):
                group.update(setting)
        return new

    def _pretrain(self, net, data):
        """Prepare the initialised ``net`` on ``data`` (a ``RowData``) before a cold fit."""

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

    def _auto_learning_rate(self, neighbors):
        """The rate ``learning_rate_init="auto"`` stands for."""
        if self.solver == "lbfgs":
            return 1.0
        # Adam moves each weight by about the rate per step, whatever the loss's
        # scale: a neighbour map needs codes tens of units apart, which at 1e-3
        # take hundreds of epochs to reach (RESULTS_neighbors.md).
        return NEIGHBOR_LEARNING_RATE if neighbors else 1e-3

    # What tol="auto" stands for without a neighbour term: training stops once
    # ten epochs in a row gain less than 1 % on the best loss. At 1e-4 the
    # loss of every family still creeps down after 200 epochs (digits, MNIST,
    # the UCR sets) while the test error has long levelled off, so every
    # default fit ended on max_iter with a ConvergenceWarning
    # (RESULTS_defaults.md). A subclass whose solver converges exactly sets
    # its own (LinearAE).
    _auto_tol = 1e-2

    def _stopping_tol(self, neighbors):
        """The ``tol`` of the stopping rule, ``"auto"`` resolved."""
        if self.tol != "auto":
            return self.tol
        # A neighbour term's map still improves at 1e-3 an epoch.
        return NEIGHBOR_TOL if neighbors else self._auto_tol

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

    def __sklearn_clone__(self):
        # sklearn.clone deep-copies non-estimator parameters, which fails on a
        # callback holding a resource (TensorBoard's SummaryWriter holds a
        # thread lock): GridSearchCV could not clone such a model. The
        # callbacks are copied as a fit copies them; the rest is sklearn's.
        callbacks = self.callbacks
        if not callbacks:
            return super().__sklearn_clone__()
        self.callbacks = None
        try:
            new = super().__sklearn_clone__()
        finally:
            self.callbacks = callbacks
        new.callbacks = type(callbacks)(_copy_callback(item) for item in callbacks)
        return new

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
        if neighbors:
            penalties.append(
                NeighborLoss(
                    self.neighbor_loss,
                    self.neighbor_weight,
                    default_n_neighbors(self.neighbor_loss, self.n_neighbors),
                )
            )
        if self.solver == "lbfgs":
            # L-BFGS's curvature pairs and line search assume one objective;
            # on minibatches it diverges (batch_size=1: NaN at epoch 2).
            batch_size = -1
        elif self.batch_size != "auto":
            batch_size = min(self.batch_size, n_samples)
        else:
            batch_size = min(200, n_samples)
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
        callbacks.append(("convergence", monitor))
        if self.verbose:
            callbacks.append(("progress", ProgressLog(max_iter)))
        user = [] if pretraining else self._user_callbacks()
        callbacks += user
        kwargs = dict(
            corruption=make_corruption(self.noise, self.noise_level),
            penalties=penalties,
            validation_fraction=self.validation_fraction if self.early_stopping else None,
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

    # ------------------------------------------------------------ inference
    @property
    def module_(self):
        """The trained :class:`torch.nn.Module`."""
        check_is_fitted(self, "net_")
        return self.net_.module_

    @property
    def callbacks_(self):
        """The fitted copies of ``callbacks``, by name: ``{name: callback}``.

        A fit trains with copies of the callbacks you pass (the parameter
        never changes), so what they recorded (a metric's history, a
        checkpoint's best epoch) is read here. Names are those given as
        ``(name, callback)`` pairs, else skorch's (the class name). A model
        loaded from a file has fresh copies.
        """
        check_is_fitted(self, "net_")
        names = set(getattr(self.net_, "user_callback_names", ()))
        return {name: cb for name, cb in self.net_.callbacks_ if name in names}

    @property
    def _n_features_out(self):
        check_is_fitted(self, "net_")
        return self.n_components

    def _infer(self, X, fn, out_dtype=None):
        """Apply ``fn(module, batch)`` to ``X`` chunk by chunk, in ``X``'s dtype.

        Float32 matmuls give slightly different results for different batch
        sizes; computing in the input's dtype (float64 for float64 input)
        makes outputs independent of how rows are chunked. ``out_dtype``
        (a numpy dtype) computes and returns in that dtype instead.
        """
        out_dtype = X.dtype if out_dtype is None else np.dtype(out_dtype)
        # Chunks sized by scikit-learn's working_memory (MiB), counting a few
        # activations of the widest layer per row.
        row_bytes = X.dtype.itemsize * 8 * self._activation_width(X.shape[1])
        n_rows = max(1, int(get_config()["working_memory"] * 2**20 // row_bytes))
        work = min(n_rows, X.shape[0]) * self._flops_per_sample(self.net_.module_)
        n_threads = choose_num_threads(self.n_jobs, work)
        return infer_in_dtype(
            self.net_.module_, X, fn, self.net_.device, n_rows, n_threads, out_dtype
        )

    def transform(self, X):
        """Encode ``X`` into its ``n_components``-dimensional code.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            Codes, in ``X``'s float dtype.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        return self._infer(X, lambda module, x: module.encode(x))

    def inverse_transform(self, X):
        """Decode codes back to input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as returned by :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Reconstructions (in the fitted layout for images and sequences).
        """
        check_is_fitted(self)
        X = check_array(X, dtype=[np.float64, np.float32], input_name="X")
        if X.shape[1] != self._n_features_out:
            raise ValueError(
                f"X has {X.shape[1]} features, but inverse_transform expects codes of "
                f"n_components={self._n_features_out} features: pass the output of transform."
            )
        output = self.net_.criterion_.output
        return self._to_output(self._infer(X, lambda module, z: output(module.decode(z))))

    def reconstruct(self, X):
        """``inverse_transform(transform(X))`` in one pass, without the round trip."""
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        output = self.net_.criterion_.output
        return self._to_output(self._infer(X, lambda module, x: output(module(x)["recon"])))

    def score_samples(self, X):
        """Per-sample score: negative mean squared reconstruction error.

        Higher is more typical; use ``-score_samples(X)`` as an anomaly score.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            In float64, whatever the input's float dtype.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        # In float64 whatever the input: squared errors of extreme (anomalous)
        # rows overflow float32 and would tie at -inf.
        return self._infer(X, self._score_batch, out_dtype=np.float64)

    def score(self, X, y=None):
        """Mean of :meth:`score_samples`: higher is better, so model selection needs no y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))

    # Saved models hold weights and history as plain data, no optimizer state
    # (see _persistence): small pickles, and skops files that need no torch type.
    def __getstate__(self):
        return estimator_state(self, super().__getstate__())

    def __setstate__(self, state):
        restore_estimator(self, state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


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


def _training_state(net):
    """What training changes in ``net``: weights, optimizer state and history."""
    return {
        "module": copy.deepcopy(net.module_.state_dict()),
        "optimizer": copy.deepcopy(net.optimizer_.state_dict()),
        "history": copy.deepcopy(net.history),
        "max_epochs": net.max_epochs,
        "validation_fraction": net.validation_fraction,
    }


def _restore_training_state(net, state):
    net.module_.load_state_dict(state["module"])
    net.optimizer_.load_state_dict(state["optimizer"])
    net.history = state["history"]
    net.max_epochs = state["max_epochs"]
    net.validation_fraction = state["validation_fraction"]
