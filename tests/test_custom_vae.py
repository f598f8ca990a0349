"""VariationalAE(encoder=..., decoder=...): your own modules as a VAE."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from torch import nn

from sklearn_ae import VariationalAE

from ._helpers import digits_split

FAST = dict(batch_size=64, learning_rate_init=0.005, max_iter=30, random_state=0)


class GaussianEncoder(nn.Module):
    """Rows -> the posterior's mean and log-variance (a class: told its sizes)."""

    def __init__(self, n_features, n_components, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, n_components)
        self.logvar = nn.Linear(hidden, n_components)

    def forward(self, x):
        h = self.body(x)
        return self.mu(h), self.logvar(h)


def _decoder(n_components=2):
    return nn.Sequential(nn.Linear(n_components, 64), nn.ReLU(), nn.Linear(64, 64))


def _fit(vae, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return vae.fit(X)


def test_your_modules_train_as_the_built_in_architecture():
    X_train, X_test, *_ = digits_split()
    vae = _fit(
        VariationalAE(2, encoder=GaussianEncoder, decoder=_decoder(), loss="bce", **FAST), X_train
    )
    same = _fit(VariationalAE(2, hidden_layer_sizes=(64,), loss="bce", **FAST), X_train)
    # The same network and training: ELBOs (nats per digit) within 3 %.
    assert vae.score(X_test) == pytest.approx(same.score(X_test), rel=0.03)
    # score_samples is the ELBO of the module's own outputs (bce likelihood).
    module = vae.module_.eval()
    with torch.no_grad():
        x = torch.as_tensor(X_test[:5], dtype=torch.float32)
        out = module(x)
        bce = nn.functional.binary_cross_entropy_with_logits(out["recon"], x, reduction="none")
        kl = 0.5 * (out["mu"] ** 2 + out["logvar"].exp() - 1 - out["logvar"]).sum(1)
        elbo = (-bce.sum(1) - kl).numpy()
    np.testing.assert_allclose(vae.score_samples(X_test[:5]), elbo, rtol=1e-4)
    codes = vae.transform(X_test)
    np.testing.assert_array_equal(codes, vae.transform(X_test))  # the posterior mean
    assert abs(codes.mean()) < 0.5 and 0.3 < codes.std() < 2.0  # near the N(0, I) prior
    samples = vae.sample(5, random_state=0)
    assert samples.shape == (5, 64) and samples.min() >= 0 and samples.max() <= 1


def test_the_decoder_variance_is_set_from_pca_as_for_the_built_in():
    X_train = digits_split()[0][:300]
    short = dict(FAST, max_iter=1)
    vae = _fit(VariationalAE(2, encoder=GaussianEncoder, decoder=_decoder(), **short), X_train)
    same = _fit(VariationalAE(2, **short), X_train)
    variance = float(vae.module_.decoder_variance)
    assert variance == pytest.approx(float(same.module_.decoder_variance), rel=1e-6)
    assert variance > 0.01  # PCA's residual with two axes, not the 0.5 placeholder


class SkipEncoder(GaussianEncoder):
    """Also returns its hidden layer: an extra the decoder takes."""

    def forward(self, x):
        h = self.body(x)
        return self.mu(h), self.logvar(h), h


class SkipDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.code, self.skip = nn.Linear(2, 64), nn.Linear(64, 64)

    def forward(self, z, h):
        return self.code(z) + self.skip(h)


def test_extras_reach_the_decoder_and_codes_alone_cannot_be_decoded():
    X_train, X_test, *_ = digits_split()
    vae = _fit(VariationalAE(2, encoder=SkipEncoder, decoder=SkipDecoder(), **FAST), X_train)
    assert vae.transform(X_test).shape == (len(X_test), 2)
    # The skip connection bypasses the 2-d code: far better than a 2-d VAE.
    error = float(((vae.reconstruct(X_test) - X_test) ** 2).mean())
    assert error < 0.5 * float(((X_test - X_train.mean(0)) ** 2).mean())
    with pytest.raises(ValueError, match="reconstruct"):
        vae.sample(2)


def test_wrong_modules_get_clear_errors_and_ignored_parameters_a_warning():
    X = digits_split()[0][:50]
    with pytest.raises(ValueError, match="encoder and decoder go together"):
        VariationalAE(encoder=GaussianEncoder).fit(X)
    one_tensor = nn.Linear(64, 2)
    with pytest.raises(ValueError, match=r"mean and log-variance.*returned a tensor"):
        VariationalAE(encoder=one_tensor, decoder=_decoder(), max_iter=1).fit(X)
    with pytest.raises(ValueError, match="n_components=3, but the encoder returns codes of 2"):
        VariationalAE(3, encoder=GaussianEncoder(64, 2), decoder=_decoder(), max_iter=1).fit(X)
    with pytest.warns(UserWarning, match=r"hidden_layer_sizes=.* has no effect"):
        _fit(
            VariationalAE(
                encoder=GaussianEncoder, decoder=_decoder(), hidden_layer_sizes=(8,), max_iter=1
            ),
            X,
        )
