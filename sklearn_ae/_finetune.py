"""Supervised fine-tuning of a fitted autoencoder's encoder (unsupervised pretraining).

The encoder of a fitted autoencoder, a head on top of its code, and the pair
trained end to end on labels through skorch's ``NeuralNetClassifier`` or
``NeuralNetRegressor``: the same network a user would write in torch, with
scikit-learn's interface.
"""

import copy
import dataclasses
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d
from skorch.dataset import ValidSplit
from torch import nn
from torch.nn import functional as F

from ._base import (
    BaseAutoencoder,
    check_positive_ints,
    estimator_parameters,
    infer_in_dtype,
)
from ._checks import check_parameter_values
from ._custom import reset_parameters
from ._diagnostics import check_data_scale
from ._net import ConvergenceMonitor, DivergenceGuard, EpochSnapshot, divergence_advice
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
    ClassifierNet,
    Interrupted,
    RegressorNet,
    TrainingLossDiagnostics,
    mlp_head,
)
from .modules import ACTIVATIONS, EncoderOnly

__all__ = ["FineTunedClassifier", "FineTunedRegressor"]

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
class _FineTuned(BaseEstimator):
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
        if not isinstance(epochs, numbers.Integral) or isinstance(epochs, bool) or epochs < 1:
            raise ValueError(f"epochs must be a positive integer, got {epochs!r}.")
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True (it needs the whole data "
                "set to hold out a validation part); set early_stopping=False and watch "
                "score() on held-out rows between calls."
            )
        if hasattr(self, "net_"):
            # The autoencoders' rule: a parameter that shapes the model may not
            # change under a continued fit.
            BaseAutoencoder._check_same_model(self, "partial_fit", "Call fit")
        return self._transaction(
            lambda: self._train(X, y, partial=True, classes=classes, epochs=int(epochs))
        )

    def _transaction(self, work):
        """Run ``work``; on failure put the estimator back as it was.

        On Ctrl-C after at least one completed epoch, ``work`` has already
        made those epochs the fitted model, which is kept.
        """
        before = dict(vars(self))
        try:
            work()
        except KeyboardInterrupt:
            if vars(self).get("net_") is before.get("net_"):
                vars(self).clear()
                vars(self).update(before)
            raise
        except BaseException:
            vars(self).clear()
            vars(self).update(before)
            raise
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


def _numeric(y):
    try:
        np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


def _fill_parameters(cls):
    cls.__doc__ = cls.__doc__.replace("    {parameters}\n", _PARAMETERS)
    return cls


_PARAMETERS = """    Parameters
    ----------
    autoencoder : estimator
        A *fitted* autoencoder of this package, best wrapped in
        :class:`sklearn.frozen.FrozenEstimator`: ``clone`` (which
        ``GridSearchCV`` and ``cross_validate`` call) returns an unfitted copy
        of a plain estimator parameter, and a FrozenEstimator is cloned as
        itself, fitted. An unfitted one raises, unless ``fit_autoencoder``.
    hidden_layer_sizes : tuple of int, default=()
        Hidden layers of the head; ``()`` is a linear (softmax) head.
    activation : {"relu", "tanh", "logistic", "identity", "elu", "gelu"}, default="relu"
        Nonlinearity of the head's hidden layers.
    fit_autoencoder : bool, default=False
        Fit a clone of ``autoencoder`` on the ``X`` passed to ``fit`` first
        (pretraining on the labelled samples only). A FrozenEstimator stays
        as it is.
    encoder_init : {"pretrained", "random"}, default="pretrained"
        ``"random"`` re-initialises the encoder from ``random_state``: the
        same network trained from scratch, the baseline pretraining should
        beat.
    learning_rate_init : float, default=0.001
        Adam's learning rate, for encoder and head alike.
    alpha : float, default=0.0
        Decoupled weight decay (AdamW) on all weights.
    batch_size : int or "auto", default="auto"
        ``min(200, n_samples)`` for "auto".
    max_iter : int, default=200
        Maximum number of epochs.
    tol : float, default=1e-4
        Relative tolerance of the stopping rule (as the autoencoders'): stop
        after ``n_iter_no_change`` epochs without improvement of the
        training loss, or of the validation loss with ``early_stopping``.
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the labelled samples
        and keep the weights of the best validation epoch.
    validation_fraction : float, default=0.1
        Share of samples held out with ``early_stopping``.
    n_iter_no_change : int, default=10
        Epochs without improvement before training stops.
    device : str, default="auto"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the head's initialisation, shuffling, the validation split and
        (``encoder_init="random"``) the encoder. Global random states are
        never touched.
    verbose : bool or int, default=False
        skorch's per-epoch table.

"""


@_fill_parameters
class FineTunedClassifier(ClassifierMixin, _FineTuned):
    """A fitted autoencoder's encoder with a classifier head, fine-tuned on labels.

    The classic recipe of unsupervised pretraining: fit an autoencoder on
    plenty of unlabelled data, then put a head (softmax regression, or an
    MLP with ``hidden_layer_sizes``) on its code and train encoder and head
    together on the few labelled samples. Training goes through
    ``skorch.NeuralNetClassifier`` (held as ``net_``) with the package's
    stopping rule; the network is ``nn.Sequential(EncoderOnly(module), head)``
    (see :class:`sklearn_ae.modules.EncoderOnly` to build it yourself).

    The autoencoder you pass is never modified: its module is copied.

    {parameters}
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    autoencoder_ : estimator
        The fitted autoencoder whose encoder was copied (the one passed, or
        its fitted clone with ``fit_autoencoder=True``); it validates input.
    net_ : skorch.NeuralNetClassifier
        The trained net; ``net_.module_`` is the torch network.
    n_iter_ : int
        Epochs run.
    loss_curve_ : list of float
        Training loss (cross-entropy) of each epoch.
    validation_loss_curve_ : list of float
        Validation loss of each epoch (only with ``early_stopping=True``).
    n_features_in_ : int
        Number of features seen during the autoencoder's ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Their names, when the autoencoder saw string column names.

    See Also
    --------
    FineTunedRegressor : The same for regression.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklearn_ae import FineTunedClassifier, StackedAE
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> ae = StackedAE(n_components=16, max_iter=10, random_state=0).fit(X)  # unlabelled
    >>> clf = FineTunedClassifier(FrozenEstimator(ae), max_iter=20, random_state=0)
    >>> clf.fit(X[:100], y[:100]).predict(X[100:103]).shape
    (3,)
    """

    _net_class = ClassifierNet
    _criterion = nn.CrossEntropyLoss
    _baseline_name = "predicting the class frequencies"

    @staticmethod
    def _output(raw):
        return torch.softmax(raw, dim=1)

    @staticmethod
    def _per_sample_loss(output, target):
        return F.cross_entropy(output, target, reduction="none")

    @staticmethod
    def _constant_output(target, n_outputs):
        counts = torch.bincount(target, minlength=n_outputs).double()
        return torch.log((counts / counts.sum()).clamp_min(1e-12)).float()[None]

    def _encode_targets(self, y, classes, partial):
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if not partial:
            encoder = LabelEncoder().fit(y)
            return (
                encoder.transform(y).astype(np.int64),
                len(encoder.classes_),
                {"classes_": encoder.classes_},
            )
        known = getattr(self, "classes_", None)
        if classes is not None:
            classes = np.unique(column_or_1d(classes))
            if known is not None and not np.array_equal(classes, known):
                raise ValueError(
                    f"classes={classes!r} differs from classes_={known!r} of the fitted "
                    "model; pass the same classes, or call fit for a new model."
                )
            known = classes
        if known is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: every label the "
                "blocks will hold, since one block may not hold them all."
            )
        unseen = np.setdiff1d(y, known)
        if unseen.size:
            raise ValueError(
                f"y holds labels {unseen!r} that are not among the classes {known!r} "
                "passed on the first call to partial_fit."
            )
        encoder = LabelEncoder().fit(known)
        return encoder.transform(y).astype(np.int64), len(known), {"classes_": known}

    def partial_fit(self, X, y, classes=None, *, epochs=1):
        """Continue training on the batch ``X, y``: ``epochs`` passes over it (default one).

        As ``MLPClassifier.partial_fit``: the first call (on an unfitted
        model) builds the network and needs ``classes``, every label the
        blocks will hold; later calls, and calls after :meth:`fit`, keep the
        weights and the optimizer's state. ``n_iter_`` and ``loss_curve_``
        count the passes of all calls; ``max_iter`` does not apply (``epochs``
        does), ``tol`` and ``n_iter_no_change`` apply within one call. The
        fit checks of :meth:`fit` apply to each call, and a call that fails
        leaves the model as it was; Ctrl-C keeps the epochs completed.
        ``early_stopping=True`` is refused: watch :meth:`score` on held-out
        rows between calls. Parameters that shape the network may not change
        between calls; ``learning_rate_init`` and ``batch_size`` may.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One block of labelled samples.
        y : array-like of shape (n_samples,)
            Their labels.
        classes : array-like of shape (n_classes,), default=None
            Every label; required on the first call, else optional and
            checked against ``classes_``.
        epochs : int, default=1
            Passes over the block in this call.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, classes, epochs)

    def predict_proba(self, X):
        """Class probabilities (softmax of the head's output).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return self._predict_raw(X).astype(np.float64)

    def predict(self, X):
        """Most probable class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)  # first: it raises NotFittedError when unfitted
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy of :meth:`predict` on ``X`` against ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        return super().score(X, y, sample_weight=sample_weight)


@_fill_parameters
class FineTunedRegressor(RegressorMixin, _FineTuned):
    """A fitted autoencoder's encoder with a linear or MLP head, fine-tuned on targets.

    As :class:`FineTunedClassifier` (same parameters), trained with the
    squared error through ``skorch.NeuralNetRegressor``. Targets are used as
    given: scale them (e.g. ``TransformedTargetRegressor`` with a
    ``StandardScaler``) when they are far from unit scale.

    {parameters}
    Attributes
    ----------
    autoencoder_ : estimator
        The fitted autoencoder whose encoder was copied.
    net_ : skorch.NeuralNetRegressor
        The trained net; ``net_.module_`` is the torch network.
    n_iter_ : int
        Epochs run.
    loss_curve_ : list of float
        Training loss (mean squared error) of each epoch.
    validation_loss_curve_ : list of float
        Validation loss of each epoch (only with ``early_stopping=True``).
    n_features_in_ : int
        Number of features seen during the autoencoder's ``fit``.
    """

    _net_class = RegressorNet
    _criterion = nn.MSELoss
    _baseline_name = "predicting the mean target"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @staticmethod
    def _per_sample_loss(output, target):
        return (output - target).pow(2).mean(dim=1)

    @staticmethod
    def _constant_output(target, n_outputs):
        return target.double().mean(dim=0, keepdim=True).float()

    def _encode_targets(self, y, classes, partial):
        self._refuse_labels(y)
        y = check_array(y, ensure_2d=False, dtype=np.float32, input_name="y")
        y2 = y.reshape(len(y), -1)
        if (
            partial
            and hasattr(self, "net_")
            and (y.ndim, y2.shape[1])
            != (
                self._y_ndim,
                self.n_outputs_,
            )
        ):
            raise ValueError(
                f"y has shape {y.shape}, but the fitted model predicts "
                f"{self.n_outputs_} target(s) of {self._y_ndim}-d y; pass targets shaped as "
                "on the first call, or call fit for a new model."
            )
        return y2, y2.shape[1], {"_y_ndim": y.ndim}

    def _refuse_labels(self, y):
        if np.asarray(y).dtype.kind in "USO" and not _numeric(y):
            raise ValueError(
                f"{type(self).__name__} needs numeric targets, but y holds labels such as "
                f"{np.asarray(y).ravel()[0]!r}: use FineTunedClassifier for classes."
            )

    def partial_fit(self, X, y, *, epochs=1):
        """Continue training on the batch ``X, y``: ``epochs`` passes over it (default one).

        As ``MLPRegressor.partial_fit``; see
        :meth:`FineTunedClassifier.partial_fit` (without ``classes``). Later
        calls take targets of the first call's shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One block of samples.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Their targets.
        epochs : int, default=1
            Passes over the block in this call.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, None, epochs)

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        out = self._predict_raw(X).astype(np.float64)
        return out.ravel() if self._y_ndim == 1 else out

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination (R^2) of :meth:`predict` on ``X`` against ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        self._refuse_labels(y)
        return super().score(X, y, sample_weight=sample_weight)
