"""The scikit-learn face shared by every autoencoder: parameters, validation,
the hooks a subclass overrides, inference and scoring.

Fitting lives beside it, as mixins whose methods are the estimator's (so that
subclasses override them as hooks): :mod:`sklearn_ae._fitting` (``fit``, warm
start, the checks of a fitted model), :mod:`sklearn_ae._partial_fit` and
:mod:`sklearn_ae._netbuild` (the training net the parameters make, and which
parameters cannot act).

A concrete estimator adds its own parameters and overrides a few hooks:
``_build_module`` (always), and where needed ``_penalties``,
``_build_criterion``, ``_validate_input``/``_to_output`` (non-tabular layouts),
``_score_batch`` or ``_pretrain`` (work on a freshly built net before training,
e.g. greedy layer-wise pretraining through ``_make_net``).
"""

import copy
import dataclasses
import numbers
import weakref
from abc import ABCMeta, abstractmethod

import numpy as np
import torch
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._checks import check_parameter_values
from ._data import iter_row_chunks
from ._fitting import FitMixin
from ._losses import ReconstructionLoss
from ._map_transform import NeighborMapMixin
from ._netbuild import _LEARNING_RATES, _OPTIMIZERS, NetBuilderMixin, _copy_callback
from ._partial_fit import PartialFitMixin

# Re-exported: modules import it from here.
from ._penalties import L2Penalty  # noqa: F401
from ._persistence import estimator_state, restore_estimator
from ._runtime import choose_num_threads, compute_context

__all__ = ["BaseAutoencoder", "check_positive_ints", "estimator_parameters"]


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
    NeighborMapMixin,
    FitMixin,
    PartialFitMixin,
    NetBuilderMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    BaseEstimator,
    metaclass=ABCMeta,
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
        "neighbor_transform": [StrOptions({"opentsne", "encoder"})],
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
            "neighbor_transform",
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
    neighbor_transform: str = "opentsne"

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
        if self._places_with_opentsne():
            return self._placed_on_map(X)
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
