"""Variational autoencoder around any encoder body and decoder."""

from itertools import pairwise

import torch
from torch import nn

from ._custom import EncoderDecoder
from ._dense import ACTIVATIONS

__all__ = ["CustomVariationalAutoencoder", "VariationalAutoencoder", "gaussian_kl", "mlp"]

LOGVAR_BOUND = 30.0


def mlp(sizes, activation="relu"):
    """``Linear -> activation`` for each consecutive pair of ``sizes`` (identity if none)."""
    layers = []
    for a, b in pairwise(sizes):
        layers += [nn.Linear(a, b), ACTIVATIONS[activation]()]
    return nn.Sequential(*layers)


def gaussian_kl(mu, logvar):
    """``KL(N(mu, exp(logvar)) || N(0, I))`` of each sample, summed over dimensions."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=1)


class VariationalAutoencoder(nn.Module):
    """Gaussian-posterior VAE with the reparameterization trick (Kingma and Welling, 2014).

    ``body`` maps a batch to ``n_hidden`` features, two linear heads give the
    posterior mean and log-variance, and ``decoder`` maps a code to the raw
    output. In training mode the code fed to the decoder is
    ``mu + exp(logvar / 2) * eps`` with ``eps ~ N(0, I)`` drawn from
    ``generator`` (torch's global RNG while it is None; a training loop may
    set it for the duration of training); in eval mode it is ``mu``, so
    inference is deterministic.

    Parameters
    ----------
    body : torch.nn.Module
        ``x -> (n, n_hidden)``.
    n_hidden : int
    n_components : int
    decoder : torch.nn.Module
        ``z -> raw output``.
    heads : pair of torch.nn.Module or None, default=None
        The mean and log-variance heads, ``(n, n_hidden) -> (n, n_components)``;
        None uses two linear layers; a code that is a convolutional feature
        map takes two :class:`~sklearn_ae.modules.FeatureMapHead` instead.
    decoder_variance : float, default=0.5
        Variance of the Gaussian likelihood ``p(x | z)`` around the decoder's
        output (a buffer, so saved with the weights; the estimator sets it
        from the data before training).

    The buffer ``scale`` (1 unless set) divides the input and multiplies the
    decoder's output: the estimator sets it to the data's spread where that
    is far from unit scale, so that the network and the KL term see values
    of order one (digits scaled by 1e11 overflowed the KL term in float32).

    Notes
    -----
    ``forward`` returns ``"code"`` (the mean), ``"mu"``, ``"logvar"`` and
    ``"recon"``; the KL term is left to the training loop (see
    :func:`gaussian_kl`).
    """

    generator = None

    def __init__(self, body, n_hidden, n_components, decoder, heads=None, decoder_variance=0.5):
        super().__init__()
        self.register_buffer("decoder_variance", torch.tensor(float(decoder_variance)))
        self.register_buffer("scale", torch.tensor(1.0))
        self.body = body
        if heads is None:
            heads = nn.Linear(n_hidden, n_components), nn.Linear(n_hidden, n_components)
        self.mu, self.logvar = heads
        self.decoder = decoder

    def posterior(self, x):
        h = self.body(x / self.scale.to(x.dtype))
        return self.mu(h), bounded_logvar(self.logvar(h))

    def encode(self, x):
        return self.mu(self.body(x / self.scale.to(x.dtype)))

    def decode(self, z):
        return self.decoder(z) * self.scale.to(z.dtype)

    def forward(self, x):
        mu, logvar = self.posterior(x)
        z = reparameterize(mu, logvar, self.generator) if self.training else mu
        return {"code": mu, "mu": mu, "logvar": logvar, "recon": self.decode(z)}


def bounded_logvar(logvar):
    """A soft bound on the log-variance: the identity near 0, within +-30.

    ``exp(logvar)`` stays finite for any input, so the KL term and the ELBO of
    far-out samples stay finite and ordered.
    """
    return LOGVAR_BOUND * torch.tanh(logvar / LOGVAR_BOUND)


def reparameterize(mu, logvar, generator=None):
    """A posterior sample ``mu + exp(logvar / 2) * eps``, ``eps`` drawn from ``generator``."""
    eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
    return mu + torch.exp(0.5 * logvar) * eps


class CustomVariationalAutoencoder(EncoderDecoder):
    """A VAE of your own encoder and decoder: the encoder returns ``(mu, logvar, *extras)``.

    As :class:`EncoderDecoder` (shapes, extras for the decoder), with a
    Gaussian posterior: in training mode the decoder gets a reparameterized
    sample drawn from ``generator``, in eval mode the mean. The outputs are
    those of :class:`VariationalAutoencoder`.

    Parameters
    ----------
    encoder, decoder, input_shape, code_shape, n_extras
        As for :class:`EncoderDecoder`; ``code_shape`` is the mean's.
    decoder_variance : float, default=0.5
        As for :class:`VariationalAutoencoder`.
    """

    generator = None
    _n_codes = 2

    def __init__(
        self, encoder, decoder, input_shape, code_shape, n_extras=0, decoder_variance=0.5
    ):
        super().__init__(encoder, decoder, input_shape, code_shape, n_extras)
        self.register_buffer("decoder_variance", torch.tensor(float(decoder_variance)))

    def forward(self, x):
        (mu, logvar), extras = self._encode_all(x)
        logvar = bounded_logvar(logvar)
        z = reparameterize(mu, logvar, self.generator) if self.training else mu
        return {"code": mu, "mu": mu, "logvar": logvar, "recon": self.decode(z, *extras)}
