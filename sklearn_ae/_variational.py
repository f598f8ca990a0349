"""Variational autoencoder (dense or convolutional), as a scikit-learn transformer."""

import math
import numbers
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import BaseAutoencoder, check_positive_ints, estimator_parameters
from ._conv import ConvArchitectureMixin, ImageLayoutMixin
from ._custom import CustomModules
from ._data_scale import SCALE_RANGE, sample_spread
from ._docstrings import fill_doc
from ._pca_init import pca_residual_variance
from ._runtime import draw_seed, seed_from_random_state
from .modules import (
    ACTIVATIONS,
    ConvDecoder,
    CustomVariationalAutoencoder,
    VariationalAutoencoder,
    gaussian_kl,
    mlp,
)
from .modules._conv import FeatureMapHead

__all__ = ["VariationalAE"]

# decoder_variance="auto" never goes below this share of the data's variance:
# where PCA is exact (n_components >= the data's rank) the likelihood stays
# proper and the KL term keeps a weight.
MIN_VARIANCE_SHARE = 1e-3
# Rows, evenly spaced, that the data's spread is measured on.
SCALE_SAMPLE_ROWS = 2048
# Spreads (RMS of the centred values) the dense network takes as they are;
# outside, it works on the data divided by its spread. Narrower below than
# the range the other estimators' defaults are made for: a fresh network's
# outputs spread about 0.2, and on 20 Newsgroups' TF-IDF rows (spread 0.02)
# the fit spent its epochs shrinking them and ended above the mean's error,
# 1.04x TruncatedSVD's at k=2 after max_iter (1.00x in 12 epochs divided).
# Images in [0, 1] (0.14-0.33) fit better as they are (Olivetti k=32:
# 1.34x PCA's error as they are, 1.88x divided).
UNIT_SCALE_RANGE = (0.1, SCALE_RANGE[1])


_CUSTOM_CONSTRAINTS = CustomModules._custom_parameter_constraints
# What your own encoder and decoder replace.
_BUILT_IN_ARCHITECTURE = (
    "architecture",
    "hidden_layer_sizes",
    "channels",
    "kernel_size",
    "sampling",
    "bottleneck",
    "activation",
    "out_activation",
)


class KLPenalty:
    """``beta`` times the KL divergence of the posterior from N(0, I), per input feature.

    The reconstruction loss is a mean over features, so dividing the
    per-sample KL by the number of features keeps the sum equal to the
    negative (beta-)ELBO divided by that number. For a Gaussian likelihood
    (``gaussian=True``) of variance ``module.decoder_variance``, whose negative
    log is the squared error divided by twice that variance plus a constant,
    the term is multiplied by twice the variance instead: the loss stays the
    mean squared error plus a KL term, a positive multiple of the negative
    ELBO up to a constant.
    """

    def __init__(self, beta, gaussian=False):
        self.beta = beta
        self.gaussian = gaussian

    def __call__(self, module, x_in, out):
        kl = gaussian_kl(out["mu"], out["logvar"]).mean()
        weight = self.beta
        if self.gaussian and module is not None:
            weight = weight * 2.0 * module.decoder_variance
        return weight * kl / x_in.shape[1]


@fill_doc
@estimator_parameters
class VariationalAE(CustomModules, ConvArchitectureMixin, ImageLayoutMixin, BaseAutoencoder):
    """Variational autoencoder with a Gaussian posterior (Kingma and Welling, 2014).

    The encoder gives the mean and log-variance of ``q(z | x)``; training
    decodes a reparameterized sample ``z = mu + sigma * eps`` and minimises
    the negative evidence lower bound (ELBO), with the KL term weighted by
    ``beta`` (``beta > 1`` is the beta-VAE of Higgins et al., 2017, which
    favours disentangled codes). The prior is ``N(0, I)``.

    ``architecture="dense"`` uses fully connected layers of
    ``hidden_layer_sizes``; ``architecture="conv"`` uses the encoder and
    decoder of :class:`ConvAE` (``image_shape``, ``channels``,
    ``kernel_size``, ``sampling``, ``bottleneck``). Either accepts images as
    flat rows, ``(n, H, W)`` or ``(n, C, H, W)`` and returns decoded images in
    the layout of ``fit``.

    :meth:`transform` returns the posterior mean, so it is deterministic;
    :meth:`sample` draws from the prior and decodes.

    ``encoder`` and ``decoder`` replace the built-in architecture by your own
    torch modules, taken as :class:`AutoEncoder` takes them (instances or
    classes, lazy layers): the encoder returns the posterior's mean and
    log-variance, the decoder maps a code to the (raw) reconstruction. The
    estimator adds the reparameterized sampling, the KL term, the ELBO and
    everything else above.

    Parameters
    ----------
    {n_components}
    encoder : torch.nn.Module, class or None, default=None
        Your own encoder, taken as :class:`AutoEncoder` takes it, returning
        ``(mu, logvar)``: two tensors of one shape, samples first, the mean
        flattened being the code of ``n_components`` values (``logvar`` is
        softly bounded to +-30). Extras after them reach the decoder as
        ``decoder(z, *extras)``; codes alone then cannot be decoded (no
        :meth:`inverse_transform` or :meth:`sample`). It sees samples in the
        layout of ``X``, or ``image_shape`` as ``(C, H, W)`` when set. The
        architecture parameters then have no effect.
    decoder : torch.nn.Module, class or None, default=None
        Your own decoder, from a code in the mean's shape to ``n_features``
        values per sample (any shape; raw outputs, ``loss="bce"`` applies
        the sigmoid). Given with ``encoder``.
    encoder_params : dict or None, default=None
        Keyword arguments of ``encoder`` when it is a class.
    decoder_params : dict or None, default=None
        Keyword arguments of ``decoder`` when it is a class.
    architecture : {{"dense", "conv"}}, default="dense"
        Fully connected or convolutional encoder and decoder.
    hidden_layer_sizes : tuple of int, default=(512,)
        Widths of the dense encoder's hidden layers (mirrored in the decoder);
        only for ``architecture="dense"``. One wide layer trains far faster
        than a deeper, narrower stack: at k=32 on digits the test error was
        1.4x PCA's after 76 epochs, against 4.5x for ``(128, 64)`` after 111
        and 2.8x for ``(256, 256)`` (``benchmarks/RESULTS_defaults.md``).
    image_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(C, H, W)`` of flat rows, as in :class:`ConvAE`.
    channels : tuple of int, default=(32, 64)
        Feature maps of each convolutional block (``architecture="conv"``).
    kernel_size : int, default=3
        Side of the convolution kernels (``architecture="conv"``).
    sampling : {{"stride", "pool"}}, default="stride"
        Strided and transposed convolutions, or max-pooling and nearest
        upsampling around "same" convolutions, as in :class:`ConvAE`
        (``architecture="conv"``).
    bottleneck : {{"dense", "conv"}}, default="dense"
        ``"dense"``: linear layers map the flattened last feature map to the
        posterior mean and log-variance. ``"conv"`` (``architecture="conv"``
        only): the code is a feature map of the last block's shape, and its
        mean and log-variance come from two 1x1 convolutions of that block's
        output (one Gaussian per channel and position), so ``n_components``
        must be ``channels[-1] * H' * W'``; the decoder starts from it with
        no dense layer.
    activation : {{"relu", "tanh", "logistic", "identity", "elu", "gelu"}}, default="relu"
        Nonlinearity of the hidden layers.
    out_activation : str, default="identity"
        Nonlinearity on the decoder output (a key of ``activation``'s
        table), as in :class:`ConvAE`: ``"logistic"`` keeps ``loss="mse"``
        reconstructions and samples in (0, 1). With ``loss="bce"`` only
        ``"identity"`` and ``"logistic"`` (the same model) are allowed. There
        is no ``code_activation``: the code is the mean of a Gaussian
        posterior, unbounded by definition.
    beta : float, default=1.0
        Weight of the KL term in the training loss.
    loss : {{"mse", "bce"}}, default="mse"
        Likelihood ``p(x | z)``. ``"bce"``: independent Bernoulli per feature
        (inputs in [0, 1], sigmoid outputs). ``"mse"``: independent Gaussian
        of variance ``decoder_variance`` around the decoder output.
    decoder_variance : "auto" or float, default="auto"
        Variance of the Gaussian likelihood (``loss="mse"`` only). The KL
        term is traded against the squared error divided by twice this
        variance, so a variance far above the reconstruction error the model
        can reach lets the KL term win (codes near the prior, blurry
        reconstructions). ``"auto"`` sets it, when a fresh fit starts, to
        the per-feature error of PCA with ``n_components`` axes on the
        training rows (at least 1e-3 of the data's variance): the error
        scale a code of that size reaches linearly. The value is kept in the
        module (``module_.decoder_variance``). A float fixes it; ``0.5``
        is the unit-free Gaussian whose negative log-likelihood is the
        squared error plus a constant (this estimator's earlier behaviour).
    {noise}
    {noise_level}
    {training}

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(C, H, W)`` of the images behind the rows (``(1, 1, n_features)``
        or square for tabular data).
    input_shape_ : tuple of int
        Shape of one sample as passed to ``fit``.
    {attributes}

    See Also
    --------
    ConvAE : The deterministic convolutional autoencoder.
    StackedAE : The deterministic dense autoencoder.

    Notes
    -----
    :meth:`score_samples` is the ELBO of each sample in nats, with ``beta=1``
    whatever the training ``beta``. Its reconstruction term is evaluated at
    the posterior mean rather than averaged over posterior samples, which
    keeps it deterministic. For ``"bce"`` it is ``-sum BCE(x, x_hat)``, a
    true log-likelihood for binary data; for ``"mse"`` it is
    ``-||x - x_hat||^2 / (2 s) - D/2 log(2 pi s)`` with ``s`` the decoder
    variance. The training loss with ``"mse"`` is the mean squared error
    plus ``2 s beta KL / D``: ``2 s / D`` times the negative beta-ELBO, up to
    a constant.

    References
    ----------
    D. P. Kingma and M. Welling, "Auto-encoding variational Bayes", ICLR 2014.

    I. Higgins, L. Matthey, A. Pal, C. Burgess, X. Glorot, M. Botvinick,
    S. Mohamed and A. Lerchner, "beta-VAE: Learning basic visual concepts with
    a constrained variational framework", ICLR 2017.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_ae import VariationalAE
    >>> X = load_digits().data / 16
    >>> vae = VariationalAE(n_components=2, loss="bce", max_iter=5, random_state=0)
    >>> vae.fit_transform(X).shape
    (1797, 2)
    >>> vae.sample(3, random_state=0).shape
    (3, 64)
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        **ConvArchitectureMixin._conv_parameter_constraints,
        **{name: [*rule, None] for name, rule in _CUSTOM_CONSTRAINTS.items()},
        "architecture": [StrOptions({"dense", "conv"})],
        "hidden_layer_sizes": ["array-like"],
        "beta": [Interval(numbers.Real, 0, None, closed="left")],
        "decoder_variance": [
            StrOptions({"auto"}),
            Interval(numbers.Real, 0, None, closed="neither"),
        ],
    }
    _warm_start_mutable = BaseAutoencoder._warm_start_mutable | {"beta"}
    # Your own modules (CustomModules): the encoder returns two codes.
    _n_codes = 2
    _encoder_returns = (
        "the posterior's mean and log-variance, two tensors of one shape with the samples "
        "along their first axis, or (mean, log_variance, *extras) whose extras reach the "
        "decoder as decoder(z, *extras)"
    )
    _n_components_remedy = "set n_components to that size"

    encoder: object = None
    decoder: object = None
    encoder_params: dict | None = None
    decoder_params: dict | None = None
    architecture: str = "dense"
    hidden_layer_sizes: tuple = (512,)
    image_shape: tuple | None = None
    channels: tuple = (32, 64)
    kernel_size: int = 3
    sampling: str = "stride"
    bottleneck: str = "dense"
    activation: str = "relu"
    out_activation: str = "identity"
    beta: float = 1.0
    decoder_variance: float | str = "auto"
    # As ConvAE: in batches of 200, 300 Olivetti faces make two steps an
    # epoch, and the stopping rule ended the fit after 40 epochs at 3.41x PCA's
    # test error (k=32); in batches of 60, 1.34x after 140.
    _auto_min_steps = 5

    # Parameters that only one architecture reads.
    _ARCHITECTURE_PARAMS = {
        "dense": ("channels", "kernel_size", "sampling"),
        "conv": ("hidden_layer_sizes",),
    }

    def _warn_ignored(self):
        """Say so when a parameter set away from its default does nothing here."""
        defaults = type(self)().get_params(deep=False)
        ignored = [
            name
            for name in self._ARCHITECTURE_PARAMS[self.architecture]
            if getattr(self, name) != defaults[name]
        ]
        if ignored:
            other = "conv" if self.architecture == "dense" else "dense"
            warnings.warn(
                f"{', '.join(ignored)} only shape{'s' if len(ignored) == 1 else ''} "
                f"architecture={other!r}: ignored with architecture={self.architecture!r}. "
                f"Pass architecture={other!r} to use {'it' if len(ignored) == 1 else 'them'}.",
                UserWarning,
                stacklevel=6,
            )

    def _custom(self):
        """Whether your own modules replace the built-in architecture."""
        if (self.encoder is None) != (self.decoder is None):
            raise ValueError(
                "encoder and decoder go together: pass both (your own modules) or neither "
                "(the built-in architecture)."
            )
        return self.encoder is not None

    def _encoder_input_shape(self):
        return self.image_shape_ if self.image_shape is not None else self.input_shape_

    def _build_module(self, n_features):
        if self._custom():
            encoder, decoder, code_shape, n_extras = self._build_parts(n_features)
            return CustomVariationalAutoencoder(
                encoder,
                decoder,
                self._encoder_input_shape(),
                code_shape,
                n_extras,
                decoder_variance=self._variance(),
            )
        k, act, out = self.n_components, self.activation, self._module_out_activation()
        self._warn_ignored()
        if self.architecture == "conv":
            body = self._conv_encoder()
            conv_code = self.bottleneck == "conv"
            decoder = ConvDecoder(
                k, body, int(self.kernel_size), act, project=not conv_code, out_activation=out
            )
            heads = None
            if conv_code:
                heads = FeatureMapHead(body.out_shape), FeatureMapHead(body.out_shape)
            return VariationalAutoencoder(
                body, body.out_features, k, decoder, heads=heads, decoder_variance=self._variance()
            )
        if self.bottleneck == "conv":
            raise ValueError(
                "bottleneck='conv' (the feature map as the code) needs architecture='conv'; "
                "the dense architecture has no feature map."
            )
        hidden = check_positive_ints(self.hidden_layer_sizes, "hidden_layer_sizes")
        body = mlp([n_features, *hidden], act)
        widths = [k, *reversed(hidden)]
        decoder = torch.nn.Sequential(
            *mlp(widths, act),
            torch.nn.Linear(widths[-1], n_features),
            ACTIVATIONS[out](),
        )
        return VariationalAutoencoder(
            body, ([n_features, *hidden])[-1], k, decoder, decoder_variance=self._variance()
        )

    def _variance(self):
        """The fixed decoder variance; "auto" is set by ``_pretrain`` (0.5 until then)."""
        return 0.5 if self.decoder_variance == "auto" else float(self.decoder_variance)

    def _pretrain(self, net, data):
        if self.loss == "mse" and not self._custom():
            # Off the unit scale the network works on values divided by the
            # data's spread (the module's ``scale``); its outputs, the
            # likelihood's variance and the ELBO stay in the data's units.
            # Your own modules see the data as it is.
            spread = sample_spread(data.evenly_spaced(SCALE_SAMPLE_ROWS).flatten(1))
            low, high = UNIT_SCALE_RANGE
            if spread > 0 and not low <= spread <= high:
                net.module_.scale.fill_(spread)
        if self.loss == "mse" and self.decoder_variance == "auto":
            seed = draw_seed(net.generator)
            residual, total = pca_residual_variance(data, self.n_components, seed)
            variance = max(residual, MIN_VARIANCE_SHARE * total)
            if variance > 0:
                net.module_.decoder_variance.fill_(variance)

    def _inactive_parameters(self):
        inactive = super()._inactive_parameters()
        if self._custom():
            defaults = type(self)().get_params(deep=False)
            inactive += [
                (name, "your encoder and decoder define the network")
                for name in _BUILT_IN_ARCHITECTURE
                if getattr(self, name) != defaults[name]
            ]
        if self.loss == "bce" and self.decoder_variance != "auto":
            inactive.append(("decoder_variance", "loss='bce' has no variance"))
        return inactive

    def _penalties(self):
        return [KLPenalty(self.beta, gaussian=self.loss == "mse")] if self.beta else []

    def _activation_width(self, n_features):
        if self._custom():
            return CustomModules._activation_width(self, n_features)
        if self.architecture == "conv":
            return ConvArchitectureMixin._activation_width(self, n_features)
        hidden = check_positive_ints(self.hidden_layer_sizes, "hidden_layer_sizes")
        return max(n_features, self.n_components, *hidden)

    def _score_batch(self, module, x):
        out = module(x)  # in eval mode: decoded at the posterior mean
        mu, logvar, raw = out["mu"], out["logvar"], out["recon"]
        if self.loss == "bce":
            log_lik = -F.binary_cross_entropy_with_logits(raw, x, reduction="none").sum(dim=1)
        else:
            variance = module.decoder_variance.to(raw.dtype)
            sq = (raw - x).pow(2).sum(dim=1)
            log_lik = -sq / (2 * variance)
            log_lik -= 0.5 * x.shape[1] * torch.log(2 * math.pi * variance)
        return log_lik - gaussian_kl(mu, logvar)

    def score_samples(self, X):
        """Evidence lower bound (ELBO) of each sample, in nats.

        Higher is more typical. See the Notes for the likelihood used.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Or images as ``(n_samples, H, W)`` / ``(n_samples, C, H, W)``.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        return super().score_samples(X)

    def sample(self, n_samples=1, random_state=None):
        """Draw codes from the prior ``N(0, I)`` and decode them.

        Parameters
        ----------
        n_samples : int, default=1
        random_state : int, RandomState instance or None, default=None
            Seeds the draw; global random states are never touched.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Decoded samples (means of ``p(x | z)``), in the layout of ``fit``.
        """
        check_is_fitted(self)
        if not isinstance(n_samples, numbers.Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
        rng = np.random.default_rng(seed_from_random_state(random_state))
        return self.inverse_transform(rng.standard_normal((n_samples, self.n_components)))
