"""Supervised fine-tuning of a fitted autoencoder's encoder (unsupervised pretraining).

The encoder of a fitted autoencoder, a head on top of its code, and the pair
trained end to end on labels through skorch's ``NeuralNetClassifier`` or
``NeuralNetRegressor``: the same network a user would write in torch, with
scikit-learn's interface.
"""

import numpy as np
import torch
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, column_or_1d
from torch import nn
from torch.nn import functional as F

from ._finetune_base import FineTuned
from ._supervised import ClassifierNet, RegressorNet

__all__ = ["FineTunedClassifier", "FineTunedRegressor"]


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
class FineTunedClassifier(ClassifierMixin, FineTuned):
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
class FineTunedRegressor(RegressorMixin, FineTuned):
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
