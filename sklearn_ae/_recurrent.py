"""Recurrent (LSTM/GRU) autoencoder for sequences, as a scikit-learn transformer."""

import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseAutoencoder, estimator_parameters
from ._docstrings import fill_doc
from ._losses import ReconstructionLoss
from .modules import CELLS, RecurrentAutoencoder

__all__ = ["RecurrentAE"]


@fill_doc
@estimator_parameters
class RecurrentAE(BaseAutoencoder):
    """Sequence-to-sequence recurrent autoencoder (Srivastava et al., 2015).

    An encoder LSTM or GRU reads the sequence and its last hidden state is
    mapped linearly to a code of ``n_components``; a decoder RNN receives the
    code at every time step and a linear layer maps each of its states to the
    channels of that step.

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
    hidden_size : int, default=64
        Units of the encoder and decoder RNNs.
    num_layers : int, default=1
        Stacked RNN layers in the encoder and in the decoder.
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
    >>> ae = RecurrentAE(n_components=2, hidden_size=16, max_iter=5, random_state=0)
    >>> ae.fit_transform(X).shape
    (100, 2)
    >>> bool(np.isnan(ae.reconstruct(X)[:10, 20:]).all())
    True
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "n_channels": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "cell": [StrOptions(set(CELLS))],
        "hidden_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "num_layers": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    n_channels: int | None = None
    cell: str = "lstm"
    hidden_size: int = 64
    num_layers: int = 1

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
            self.n_timesteps_, self.n_channels_ = n_timesteps, n_channels
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
            self.n_components,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            cell=self.cell,
        )

    def _pretrain(self, net, data):
        # Start the decoder's per-step bias at the training mean sequence, so
        # the recurrent part is left to learn deviations from it.
        with torch.no_grad():
            mean = torch.nanmean(data.dense, dim=0).reshape(self.n_timesteps_, self.n_channels_)
            net.module_.step_bias.copy_(torch.nan_to_num(mean))

    def _activation_width(self, n_features):
        # Encoder and decoder keep every step's state of every layer (4 gates).
        return max(4 * self.n_timesteps_ * self.hidden_size * self.num_layers, n_features)

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
