"""Recurrent (LSTM/GRU) autoencoder for sequences, as a scikit-learn transformer."""

import numbers
import warnings

import numpy as np
import torch
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from skorch.callbacks import GradientNormClipping

from ._base import BaseAutoencoder, check_positive_ints, estimator_parameters
from ._docstrings import fill_doc
from ._losses import ReconstructionLoss
from .modules import ACTIVATIONS, CELLS, RecurrentAutoencoder

__all__ = ["RecurrentAE"]

# Recurrent nets meet cliffs in the loss surface where one step throws the
# weights far off (Pascanu et al., 2013): unclipped, the loss jumped back to
# the mean's and the stopping rule then ended the fit there. Clipping the
# gradient's norm to 1 keeps its direction and bounds the step. The default
# rate is 0.005: 0.01 learns as fast but overshot where the mean sequence is
# already exact (scikit-learn's one-sample check ended above its start).
MAX_GRAD_NORM = 1.0
# early_stopping="auto" holds out validation_fraction of the sequences where
# the network would learn them by heart: FEW_SEQUENCES[0] to FEW_SEQUENCES[1]
# of them, which share so little that a linear code of the same width, fitted
# on half of them, leaves the other half at LITTLE_SHARED or more of the
# mean's error. BasicMotions (40 sequences of 100 steps, 6 channels: 0.93 and
# 0.85 for 2-d and 8-d codes) ended at 0.39 of the mean sequence's error on
# training rows and 1.36 on test rows, without a word; GunPoint (50),
# ItalyPowerDemand (67) and ECG5000 (0.06-0.39) learn what carries over, and
# lost to the held-out rows (GunPoint, 8-d: 0.09 -> 0.22 of the mean's test
# error). The training loss still ends training: stopping on a few held-out
# rows ended GunPoint too early (0.47). Below 20 there would be fewer than
# two rows to hold out.
FEW_SEQUENCES = (20, 100)
LITTLE_SHARED = 0.75


def linear_carry_over(X, n_components):
    """Error of a linear code fitted on half the rows of ``X`` on the other half, over the mean's.

    Two folds (even and odd rows), each with its own mean and ``n_components``
    principal axes; the errors are summed over both. NaN (padding) counts as 0.
    """
    X = np.nan_to_num(np.asarray(X, dtype=np.float64).reshape(len(X), -1))
    error = baseline = 0.0
    for fit_rows, held_out in ((X[::2], X[1::2]), (X[1::2], X[::2])):
        mean = fit_rows.mean(axis=0)
        axes = np.linalg.svd(fit_rows - mean, full_matrices=False)[2][:n_components]
        centred = held_out - mean
        error += float(((centred - centred @ axes.T @ axes) ** 2).sum())
        baseline += float((centred**2).sum())
    return error / baseline if baseline > 0 else 0.0


@fill_doc
@estimator_parameters
class RecurrentAE(BaseAutoencoder):
    """Sequence-to-sequence recurrent autoencoder (Srivastava et al., 2015).

    An encoder LSTM or GRU reads the sequence; its last hidden state and its
    mean state over the sequence are mapped linearly to a code of
    ``n_components``. A decoder RNN receives the code at every time step; each
    step's output is a linear readout of the decoder's state plus the mean
    sequence's value and a learned linear function of the code for that step
    (see :class:`~sklearn_ae.modules.RecurrentAutoencoder` for why).

    Unlike the other estimators, ``learning_rate_init`` defaults to 0.005,
    ``max_iter`` to 500 and ``tol="auto"`` to 1e-3, and
    the gradient's norm is clipped to 1 at every step: at these defaults
    univariate series of a few hundred steps are learned within a couple of
    hundred epochs (GunPoint, 150 steps: under a third of the mean sequence's
    test error in 100 epochs; see ``benchmarks/RESULTS_architectures.md``).

    Sequences may be passed as ``(n_samples, n_timesteps)`` (univariate),
    ``(n_samples, n_timesteps, n_channels)``, or flat rows of
    ``n_timesteps * n_channels`` values (time-major: the flattening of the
    3-d layout) with ``n_channels`` set. :meth:`inverse_transform` and
    :meth:`reconstruct` return the layout the model was fitted on.

    NaN marks unobserved values, typically the padded tails of sequences
    shorter than the longest: they count neither in the training loss nor in
    :meth:`score_samples`, the encoder stops at each sequence's last observed
    step (NaN inside a sequence is read as 0), and :meth:`reconstruct`
    returns NaN where the input was NaN. Infinite values and rows with no
    observed value are rejected.

    Parameters
    ----------
    {n_components}
    n_channels : int or None, default=None
        Channels (variables) per time step of flat 2-d input; None means 1.
        3-d input gives its own.
    cell : {{"lstm", "gru"}}, default="lstm"
        Recurrent unit of the encoder and decoder.
    hidden_layer_sizes : tuple of int, default=(64,)
        Units of each stacked recurrent layer of the encoder, input side
        first, e.g. ``(100, 30)``; the decoder mirrors them (30, then 100).
    hidden_size : int
        Deprecated: use ``hidden_layer_sizes=(hidden_size,) * num_layers``.
    num_layers : int
        Deprecated: use ``hidden_layer_sizes=(hidden_size,) * num_layers``.
    code_activation : str, default="identity"
        Nonlinearity on the code, a key of
        :data:`sklearn_ae.modules.ACTIVATIONS` (e.g. ``"tanh"`` bounds it).
    out_activation : str, default="identity"
        Nonlinearity on every reconstructed value: ``"logistic"`` for data
        scaled to [0, 1], ``"tanh"`` for [-1, 1], ``"identity"`` for
        standardised data. With ``loss="bce"`` the output is always a
        sigmoid trained on logits: only "identity" and "logistic" apply.
    {loss}
    {noise}
    {noise_level}
    {training}

    Attributes
    ----------
    n_timesteps_ : int
        Length of the (padded) sequences.
    n_channels_ : int
        Channels per time step.
    input_shape_ : tuple of int
        Shape of one sample as passed to ``fit``; reconstructions come back
        in this layout.
    {attributes}

    See Also
    --------
    StackedAE : A dense autoencoder, which treats time steps as unrelated features.
    ConvAE : For images.

    References
    ----------
    N. Srivastava, E. Mansimov and R. Salakhutdinov, "Unsupervised learning
    of video representations using LSTMs", ICML 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ae import RecurrentAE
    >>> t = np.linspace(0, 2 * np.pi, 30)
    >>> X = np.sin(t + np.random.default_rng(0).uniform(0, 6, size=(100, 1)))
    >>> X[:10, 20:] = np.nan  # ten shorter sequences, NaN-padded
    >>> ae = RecurrentAE(n_components=2, hidden_layer_sizes=(16,), max_iter=5, random_state=0)
    >>> ae.fit_transform(X).shape
    (100, 2)
    >>> bool(np.isnan(ae.reconstruct(X)[:10, 20:]).all())
    True
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "n_channels": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "cell": [StrOptions(set(CELLS))],
        "hidden_layer_sizes": ["array-like"],
        "hidden_size": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Hidden(StrOptions({"deprecated"})),
        ],
        "num_layers": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Hidden(StrOptions({"deprecated"})),
        ],
        "code_activation": [StrOptions(set(ACTIVATIONS))],
        "out_activation": [StrOptions(set(ACTIVATIONS))],
        "early_stopping": ["boolean", StrOptions({"auto"})],
    }

    n_channels: int | None = None
    cell: str = "lstm"
    hidden_layer_sizes: tuple = (64,)
    hidden_size: int | str = "deprecated"
    num_layers: int | str = "deprecated"
    code_activation: str = "identity"
    out_activation: str = "identity"
    learning_rate_init: float | str = 0.005
    # Small sets make few steps an epoch: ItalyPowerDemand (67 rows, one
    # batch) with an 8-d code still gained over 1 % per 10 epochs at 200.
    # Larger sets stop far earlier on the stopping rule (ECG5000: 30-130).
    max_iter: int = 500
    # The clipped recurrent loss keeps falling slowly for long: at 1e-2 the
    # rule ended ECG5000 (2-d code) after 32 epochs at 0.43 of the mean
    # sequence's test error, at 1e-3 after 125 epochs at 0.31.
    _auto_tol = 1e-3
    early_stopping: bool | str = "auto"

    _min_hidden_layers = 1  # the code is read from the last recurrent layer's state

    def _layer_sizes(self):
        """Encoder layer sizes, from ``hidden_layer_sizes`` or the deprecated pair."""
        if self.hidden_size == "deprecated" and self.num_layers == "deprecated":
            return check_positive_ints(self.hidden_layer_sizes, "hidden_layer_sizes")
        warnings.warn(
            "hidden_size and num_layers are deprecated and will be removed in 0.3; use "
            "hidden_layer_sizes=(hidden_size,) * num_layers, or layers of different sizes "
            "such as (100, 30).",
            FutureWarning,
            stacklevel=4,
        )
        size = 64 if self.hidden_size == "deprecated" else int(self.hidden_size)
        return (size,) * (1 if self.num_layers == "deprecated" else int(self.num_layers))

    def _validate_input(self, X, reset):
        X, sample_shape = self._validate_nd(X, reset, max_ndim=3, ensure_all_finite="allow-nan")
        empty = np.flatnonzero(np.isnan(X).all(axis=1))
        if empty.size:
            raise ValueError(
                f"X has {empty.size} sequence(s) with no observed value (all NaN), e.g. row "
                f"{empty[0]}; remove them before calling {type(self).__name__}."
            )
        if reset:
            if len(sample_shape) == 2:
                n_timesteps, n_channels = sample_shape
                if self.n_channels is not None and self.n_channels != n_channels:
                    raise ValueError(
                        f"n_channels={self.n_channels} contradicts X of shape "
                        f"(n_samples, {n_timesteps}, {n_channels}); pass n_channels=None."
                    )
            else:
                n_channels = self.n_channels or 1
                if X.shape[1] % n_channels:
                    raise ValueError(
                        f"X has {X.shape[1]} features per sample, not a multiple of "
                        f"n_channels={n_channels}: flat rows must hold n_timesteps * "
                        "n_channels values."
                    )
                n_timesteps = X.shape[1] // n_channels
            self.n_timesteps_, self.n_channels_ = int(n_timesteps), int(n_channels)
            self._learns_by_heart = (
                FEW_SEQUENCES[0] <= len(X) < FEW_SEQUENCES[1]
                and linear_carry_over(X, int(self.n_components)) >= LITTLE_SHARED
            )
            self.input_shape_ = tuple(sample_shape)
        elif len(sample_shape) == 2 and sample_shape != (self.n_timesteps_, self.n_channels_):
            raise ValueError(
                f"X holds sequences of shape {sample_shape}, but {type(self).__name__} was "
                f"fitted on (n_timesteps, n_channels) = "
                f"{(self.n_timesteps_, self.n_channels_)}."
            )
        return X

    def _to_output(self, X_flat):
        return X_flat.reshape(X_flat.shape[0], *self.input_shape_)

    def _build_criterion(self):
        return ReconstructionLoss(self.loss, masked=True)

    def _build_module(self, n_features):
        return RecurrentAutoencoder(
            self.n_timesteps_,
            self.n_channels_,
            int(self.n_components),
            hidden_layer_sizes=self._layer_sizes(),
            cell=self.cell,
            code_activation=self.code_activation,
            out_activation=self._module_out_activation(),
        )

    def _watches_validation(self):
        return self.early_stopping == "auto" and getattr(self, "_learns_by_heart", False)

    def _make_net(self, *args, **kwargs):
        net = super()._make_net(*args, **kwargs)
        clip = GradientNormClipping(MAX_GRAD_NORM).initialize()
        net.callbacks_.append(("gradient_clipping", clip))
        return net

    def _pretrain(self, net, data):
        # Start the decoder's per-step bias at the training mean sequence, so
        # the recurrent part is left to learn deviations from it.
        # Behind a squashing output (or BCE's sigmoid) the bias lives before
        # it: start it at the mean's preimage.
        squash = "logistic" if self.loss == "bce" else self.out_activation
        module = net.module_
        with torch.no_grad():
            steps = data.dense.reshape(len(data.dense), self.n_timesteps_, self.n_channels_)
            mean = torch.nan_to_num(torch.nanmean(steps, dim=0))
            # Per channel, over every observed step of every sequence.
            channels = steps.flatten(0, 1)
            centre = torch.nan_to_num(torch.nanmean(channels, dim=0))
            spread = torch.nan_to_num((channels - centre).pow(2).nanmean(dim=0).sqrt())
            spread = torch.where(spread > 0, spread, torch.ones_like(spread))
            module.input_mean.copy_(centre)
            module.input_scale.copy_(spread)
            if squash == "logistic":
                mean = torch.logit(mean.clamp(1e-4, 1 - 1e-4))
            elif squash == "tanh":
                mean = torch.atanh(mean.clamp(-0.9999, 0.9999))
            else:  # deviations in the data's units, where the output is not squashed
                module.output_scale.copy_(spread)
            module.step_bias.copy_(mean)

    def _activation_width(self, n_features):
        # Encoder and decoder keep every step's state of every layer (4 gates).
        units = sum(layer.hidden_size for layer in self.net_.module_.encoder)
        return max(4 * self.n_timesteps_ * units, n_features)

    def reconstruct(self, X):
        """Reconstruct ``X``; entries that are NaN in ``X`` stay NaN.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or \
(n_samples, n_timesteps, n_channels)

        Returns
        -------
        X_rec : ndarray
            Reconstruction in the layout the model was fitted on.
        """
        X_rec = super().reconstruct(X)
        missing = np.isnan(self._validate_input(X, reset=False))
        return np.where(missing.reshape(X_rec.shape), np.nan, X_rec).astype(X_rec.dtype)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = False
        return tags


# The shared text of the training parameters gives the other estimators' rate.
RecurrentAE.__doc__ = RecurrentAE.__doc__.replace(
    'learning_rate_init : float or "auto", default=0.001',
    'learning_rate_init : float or "auto", default=0.005',
).replace(
    """    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows, monitor their loss,
        and restore the weights of the best validation epoch at the end.
""",
    """    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the rows, monitor their loss,
        and restore the weights of the best validation epoch at the end.
        ``"auto"``: on 20 to 99 training sequences that share little (a
        linear code of ``n_components`` fitted on half of them leaves the
        other half at 0.75 or more of the mean's error), hold them out but
        end training on the training loss; where the model then ends worse
        on them than the mean (the sequences learned by heart), keep the
        weights of the best validation epoch, and warn where even those
        reconstruct them no better than the mean. Off otherwise and in
        ``partial_fit``.
""",
)
