"""What the fine-tuned estimators share: parameters, fit, partial_fit, loading, inference.

See :mod:`sklearn_ae._finetune` for the estimators. A fit is one transaction:
the estimator changes only once training has succeeded and passed the
autoencoders' fit checks, except that Ctrl-C keeps the epochs completed.
"""

import copy
import dataclasses
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch.dataset import ValidSplit
from torch import nn

from ._base import (
    BaseAutoencoder,
    check_positive_ints,
    estimator_parameters,
    infer_in_dtype,
)
from ._callbacks import ConvergenceMonitor, DivergenceGuard, EpochSnapshot, divergence_advice
from ._checks import check_parameter_values, check_partial_fit_call, restored_on_failure
from ._custom import reset_parameters
from ._data_scale import check_data_scale
from ._persistence import (
    check_architecture,
    device_for_loading,
    estimator_state,
    load_plain_weights,
    restore_state,
)
from ._runtime import (
    choose_num_threads,
    compute_context,
    make_generator,
    resolve_device,
    seed_from_random_state,
    seeded_global_rng,
)
from ._supervised import (
    Interrupted,
    TrainingLossDiagnostics,
    mlp_head,
)
from .modules import ACTIVATIONS, EncoderOnly

__all__ = ["FineTuned"]

# Rows per forward pass at prediction time.
_PREDICT_CHUNK = 4096

# Parameters partial_fit may see changed between calls: they steer training,
# not the network (as the autoencoders' warm start allows).
_PER_CALL = frozenset(
    {
        "learning_rate_init",
        "batch_size",
        "max_iter",
        "tol",
        "n_iter_no_change",
        "random_state",
        "verbose",
        "early_stopping",
        "validation_fraction",
    }
)


@estimator_parameters
class FineTuned(BaseEstimator):
    """Base class of FineTunedClassifier and FineTunedRegressor; not for direct use."""

    _parameter_constraints = {
        "autoencoder": [HasMethods(["fit", "transform"])],
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "fit_autoencoder": ["boolean"],
        "encoder_init": [StrOptions({"pretrained", "random"})],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
        # The training parameters the autoencoders share, validated alike.
        **{
            name: BaseAutoencoder._parameter_constraints[name]
            for name in (
                "alpha",
                "batch_size",
                "max_iter",
                "tol",
                "early_stopping",
                "validation_fraction",
                "n_iter_no_change",
                "device",
                "random_state",
                "verbose",
            )
        },
    }

    autoencoder: object = dataclasses.field(kw_only=False)
    hidden_layer_sizes: tuple = ()
    activation: str = "relu"
    fit_autoencoder: bool = False
    encoder_init: str = "pretrained"
    learning_rate_init: float = 0.001
    alpha: float = 0.0
    batch_size: int | str = "auto"
    max_iter: int = 200
    tol: float = 1e-4
    early_stopping: bool = False
    validation_fraction: float = 0.1
    n_iter_no_change: int = 10
    device: str = "auto"
    random_state: object = None
    verbose: bool | int = False

    # ---------------------------------------------------------- subclass hooks
    _net_class = None
    _criterion = None
    _baseline_name = None  # the constant prediction a fit must beat, in words
    _warm_start_mutable = _PER_CALL

    @staticmethod
    def _output(raw):
        """The prediction from the network's raw output (identity; softmax for classes)."""
        return raw

    def _encode_targets(self, y, classes, partial):
        """``y`` as the net's targets, the head's number of outputs, and fitted attributes.

        Sets nothing on the estimator: a call that fails later must leave it as it was.
        """
        raise NotImplementedError

    @staticmethod
    def _per_sample_loss(output, target):
        raise NotImplementedError

    @staticmethod
    def _constant_output(target, n_outputs):
        """The best constant raw output for ``target`` (a tensor), shape (1, n_outputs)."""
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # the autoencoder's own input checks take CSR
        tags.target_tags.required = True
        return tags

    def _validate_params(self):
        super()._validate_params()
        check_parameter_values(self)

    # ------------------------------------------------------------------ fit
    def _fitted_autoencoder(self, X):
        autoencoder = self.autoencoder
        if self.fit_autoencoder:
            autoencoder = clone(autoencoder).fit(X)
        if isinstance(autoencoder, FrozenEstimator):
            autoencoder = autoencoder.estimator
        try:
            check_is_fitted(autoencoder)
        except NotFittedError as exc:
            raise NotFittedError(
                f"{type(self).__name__} fine-tunes a fitted autoencoder, but "
                f"{type(autoencoder).__name__} is not fitted. Fit it first (on unlabelled data) "
                "and pass it wrapped in sklearn.frozen.FrozenEstimator, so that clone "
                "(GridSearchCV, cross_validate) keeps it fitted; or set fit_autoencoder=True "
                "to fit it on the X passed to fit."
            ) from exc
        if not isinstance(autoencoder, BaseAutoencoder):
            raise TypeError(
                f"autoencoder must be an autoencoder of sklearn_ae (or a FrozenEstimator of "
                f"one), got {type(autoencoder).__name__}."
            )
        return autoencoder

    def _validate_X(self, X, autoencoder):
        # The autoencoder's own checks: its layouts, n_features and names; and
        # its checks of the data's scale, before float32 could overflow.
        X = autoencoder._validate_input(X, reset=False)
        check_data_scale(X, type(self).__name__)
        X = X.toarray() if hasattr(X, "toarray") else X
        return np.asarray(X, dtype=np.float32)

    def _check_y(self, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None: "
                "it fine-tunes on labels. Fit an autoencoder alone for unlabelled data."
            )

    def fit(self, X, y):
        """Fine-tune the autoencoder's encoder and a new head on labelled data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Labelled samples, in a layout the autoencoder accepts.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Class labels (classifier) or targets (regressor).

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        FloatingPointError
            Training diverged: the loss or the weights became NaN or
            infinite, or the training loss ended above both its value before
            training and the loss of a constant prediction.
        ValueError
            ``X`` holds values beyond 1e15 in magnitude (scale the data).
        KeyboardInterrupt
            Ctrl-C propagates; the estimator then holds the epochs completed
            so far or, when none completed, its state before the call.

        Notes
        -----
        Any other failure leaves an earlier fitted model exactly as it was.
        """
        self._validate_params()
        self._check_y(y)
        return self._transaction(lambda: self._train(X, y, partial=False))

    def _partial_fit(self, X, y, classes, epochs):
        self._validate_params()
        self._check_y(y)
        check_partial_fit_call(self, epochs)
        if hasattr(self, "net_"):
            # The autoencoders' rule: a parameter that shapes the model may not
            # change under a continued fit.
            BaseAutoencoder._check_same_model(self, "partial_fit", "Call fit")
        return self._transaction(
            lambda: self._train(X, y, partial=True, classes=classes, epochs=int(epochs))
        )

    def _transaction(self, work):
        """Run ``work``; on failure put the estimator back as it was (Ctrl-C keeps epochs)."""
        with restored_on_failure(self):
            work()
        return self

    def _train(self, X, y, partial, classes=None, epochs=None):
        continuing = partial and hasattr(self, "net_")
        autoencoder = self.autoencoder_ if continuing else self._fitted_autoencoder(X)
        X = self._validate_X(X, autoencoder)
        y, n_outputs, fitted = self._encode_targets(y, classes, partial)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} samples but y has {len(y)}.")
        seed = seed_from_random_state(self.random_state)
        if continuing:
            # A copy: a failed call leaves net_ as it was. An int random_state
            # would otherwise replay the first call's shuffles on every block.
            net = copy.deepcopy(self.net_)
            seed = int(np.random.SeedSequence([seed, len(net.history)]).generate_state(1)[0])
            net.iterator_train__generator = make_generator(seed, torch.device("cpu"))
            net.lr = self.learning_rate_init
            for group in net.optimizer_.param_groups:
                group["lr"] = self.learning_rate_init
            net.batch_size = self._batch_size(len(X))
            monitor = dict(net.callbacks_)["convergence"]
            monitor.tol, monitor.n_iter_no_change = self.tol, self.n_iter_no_change
        else:
            device = resolve_device(self.device)
            with seeded_global_rng(seed):
                module = self._network(autoencoder, n_outputs)
            net = self._make_net(module, len(X), device, seed).initialize()
        net.max_epochs = epochs if partial else self.max_iter
        net.verbose = int(self.verbose)
        diagnostics = TrainingLossDiagnostics(
            self._per_sample_loss,
            X,
            y,
            self._constant_output(torch.as_tensor(y), n_outputs),
            self._baseline_name,
            net.device,
        )
        start_error = diagnostics.error(net.module_)
        epochs_before = len(net.history)
        n_weights = sum(p.numel() for p in net.module_.parameters())
        threads = choose_num_threads(None, 6 * net.batch_size * n_weights)
        try:
            with compute_context(threads):
                net.partial_fit(X, y)
        except Interrupted:
            if len(net.history) > epochs_before:
                self._set_fitted(net, autoencoder, n_outputs, fitted)
            raise KeyboardInterrupt from None
        advice = divergence_advice(self.learning_rate_init)
        diagnostics.check(type(self).__name__, net.module_, start_error, advice)
        self._set_fitted(net, autoencoder, n_outputs, fitted)

    def _set_fitted(self, net, autoencoder, n_outputs, fitted):
        vars(self).update(fitted)
        self.autoencoder_ = autoencoder
        self.n_features_in_ = autoencoder.n_features_in_
        if hasattr(autoencoder, "feature_names_in_"):
            self.feature_names_in_ = autoencoder.feature_names_in_
        self.net_ = net
        self.n_outputs_ = n_outputs
        self._params_at_fit = self.get_params(deep=False)
        self.n_iter_ = len(net.history)
        self.loss_curve_ = list(net.history[:, "train_loss"])
        vars(self).pop("validation_loss_curve_", None)
        if net.train_split is not None:
            self.validation_loss_curve_ = list(net.history[:, "valid_loss"])

    def _network(self, autoencoder, n_outputs):
        """``nn.Sequential(encoder, head)``, drawing new weights from torch's global RNG."""
        encoder = EncoderOnly(copy.deepcopy(autoencoder.module_).float())
        if self.encoder_init == "random":
            reset_parameters(encoder)
        hidden = check_positive_ints(self.hidden_layer_sizes, "hidden_layer_sizes")
        head = mlp_head(autoencoder._n_features_out, hidden, n_outputs, self.activation)
        return nn.Sequential(encoder, head)

    # Saved as plain data (weights as numpy arrays), as the autoencoders are:
    # see _persistence.py. Loading rebuilds the network and copies them in.
    def __getstate__(self):
        return estimator_state(self, super().__getstate__())

    def __setstate__(self, state):
        saved = restore_state(self, state)
        if saved is None:
            return
        self._validate_params()
        # The head's shape comes from the file: check it against the saved
        # weights before building it (no allocation a tampered file chooses).
        check_architecture(
            lambda: self._network(self.autoencoder_, self.n_outputs_),
            saved,
            type(self).__name__,
        )
        device = device_for_loading(saved["device"])
        with torch.random.fork_rng(devices=[]):  # the weights are overwritten below
            module = self._network(self.autoencoder_, self.n_outputs_)
            net = self._make_net(module, saved["batch_size"], device, 0)
            net.initialize()
        self.net_ = load_plain_weights(net, saved, type(self).__name__)

    def _batch_size(self, n_samples):
        batch_size = min(200, n_samples) if self.batch_size == "auto" else self.batch_size
        return min(batch_size, n_samples)

    def _make_net(self, module, n_samples, device, seed):
        generator = make_generator(seed, torch.device("cpu"))
        split = None
        if self.early_stopping:
            stratified = isinstance(self, ClassifierMixin)
            split = ValidSplit(self.validation_fraction, stratified=stratified, random_state=seed)
        return self._net_class(
            module,
            criterion=self._criterion,
            optimizer=torch.optim.AdamW if self.alpha else torch.optim.Adam,
            optimizer__weight_decay=self.alpha,
            lr=self.learning_rate_init,
            max_epochs=self.max_iter,
            batch_size=self._batch_size(n_samples),
            train_split=split,
            iterator_train__shuffle=True,
            iterator_train__generator=generator,
            callbacks=[
                ("snapshot", EpochSnapshot()),  # the weights to rewind an interrupted epoch to
                ("divergence", DivergenceGuard(self.learning_rate_init)),
                ("convergence", ConvergenceMonitor(self.tol, self.n_iter_no_change)),
            ],
            device=device,
            verbose=int(self.verbose),
        )

    def _predict_raw(self, X):
        check_is_fitted(self, "net_")
        X = self.autoencoder_._validate_input(X, reset=False)
        X = np.asarray(X.toarray() if hasattr(X, "toarray") else X)
        # As the autoencoders' inference: in the input's dtype, so that float64
        # predictions do not depend on how the rows are chunked (float32
        # matmuls differ in the last bits between batch sizes).
        out_dtype = np.float64 if X.dtype == np.float64 else np.float32
        return infer_in_dtype(
            self.net_.module_,
            X,
            lambda module, x: self._output(module(x)),
            self.net_.device,
            _PREDICT_CHUNK,
            1,
            out_dtype,
        )
