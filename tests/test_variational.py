"""VariationalAE: KL term, posterior moments, sampling, ELBO scores, conv architecture."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_ae import VariationalAE
from sklearn_ae._variational import KLPenalty
from sklearn_ae.modules import ConvEncoder, gaussian_kl

FAST = dict(batch_size=64, learning_rate_init=0.005, random_state=0)


@pytest.fixture(scope="module")
def digits():
    X = load_digits().data / 16
    return train_test_split(X, test_size=0.25, random_state=0)


@pytest.fixture(scope="module")
def bce_vae(digits):
    vae = VariationalAE(2, hidden_layer_sizes=(64,), loss="bce", max_iter=30, **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return vae.fit(digits[0])


def test_kl_penalty_is_positive_and_scaled():
    mu, logvar = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, np.log(4.0)]])
    expected = 0.5 * (1.0 + (4.0 - 1.0 - np.log(4.0)))
    torch.testing.assert_close(gaussian_kl(mu, logvar), torch.tensor([expected]))
    out = {"mu": mu, "logvar": logvar}
    penalty = KLPenalty(beta=2.0)(None, torch.zeros(1, 8), out)
    assert penalty.item() == pytest.approx(2.0 * expected / 8)
    assert gaussian_kl(torch.zeros(1, 3), torch.zeros(1, 3)).item() == 0.0


def test_codes_are_near_standard_normal(bce_vae, digits):
    X = torch.as_tensor(digits[0], dtype=torch.float32)
    with torch.no_grad():
        mu, logvar = bce_vae.module_.posterior(X)
    kl = gaussian_kl(mu, logvar)
    assert (kl > 0).all() and 0.5 < kl.mean().item() < 20
    codes = bce_vae.transform(digits[0])
    np.testing.assert_allclose(codes, mu.numpy(), rtol=1e-4, atol=1e-5)
    assert np.all(np.abs(codes.mean(axis=0)) < 0.3)
    assert np.all((codes.var(axis=0) > 0.5) & (codes.var(axis=0) < 1.5))
    # Aggregate posterior variance: spread of the means plus mean posterior variance.
    total = codes.var(axis=0) + logvar.exp().mean(dim=0).numpy()
    assert np.all((total > 0.75) & (total < 1.3)), total


def test_deterministic_inference_and_decoding(bce_vae, digits):
    X = digits[1]
    np.testing.assert_array_equal(bce_vae.transform(X), bce_vae.transform(X))
    np.testing.assert_allclose(
        bce_vae.inverse_transform(bce_vae.transform(X)), bce_vae.reconstruct(X), atol=1e-6
    )


def test_samples_lie_in_the_data_range_without_touching_global_rngs(digits):
    X = digits[0]
    vae = VariationalAE(2, hidden_layer_sizes=(64,), beta=0.5, max_iter=30, **FAST).fit(X)
    np_state = np.random.get_state()[1].copy()  # noqa: NPY002
    torch_state = torch.get_rng_state().clone()
    samples = vae.sample(300, random_state=0)
    np.testing.assert_array_equal(samples, vae.sample(300, random_state=0))
    assert vae.sample(random_state=None).shape == (1, 64)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)  # noqa: NPY002
    assert torch.equal(torch.get_rng_state(), torch_state)
    # loss="mse" has no sigmoid: the range is learnt, not built in.
    inside = np.mean((samples > -0.15) & (samples < 1.15))
    assert inside > 0.97, inside
    assert np.abs(samples.mean(axis=0) - X.mean(axis=0)).max() < 0.15


def test_real_digits_score_higher_than_noise(bce_vae, digits):
    real = bce_vae.score_samples(digits[1])
    noise = bce_vae.score_samples(np.random.default_rng(0).uniform(size=digits[1].shape))
    assert np.median(real) > noise.max()
    assert bce_vae.score(digits[1]) == pytest.approx(real.mean())


def test_conv_architecture_shares_conv_modules(digits):
    images = digits[0][:400].reshape(-1, 8, 8)
    vae = VariationalAE(2, architecture="conv", channels=(4, 8), max_iter=2, **FAST).fit(images)
    assert isinstance(vae.module_.body, ConvEncoder)
    assert vae.image_shape_ == (1, 8, 8)
    assert vae.sample(5, random_state=0).shape == (5, 8, 8)
    assert vae.reconstruct(images[:3]).shape == (3, 8, 8)
    assert np.isfinite(vae.score_samples(images)).all()


def test_beta_trades_kl_for_reconstruction(digits):
    X = digits[0]
    kls, errors = [], []
    for beta in (0.2, 4.0):
        vae = VariationalAE(
            2, hidden_layer_sizes=(64,), loss="bce", beta=beta, max_iter=15, **FAST
        )
        vae.fit(X)
        with torch.no_grad():
            mu, logvar = vae.module_.posterior(torch.as_tensor(X, dtype=torch.float32))
        kls.append(gaussian_kl(mu, logvar).mean().item())
        errors.append(np.mean((vae.reconstruct(X) - X) ** 2))
    assert kls[1] < 0.7 * kls[0], kls
    assert errors[1] > errors[0], errors


@pytest.mark.parametrize(
    "params, ignored",
    [
        (dict(channels=(8, 16)), "channels"),
        (
            dict(architecture="conv", image_shape=(8, 8), hidden_layer_sizes=(32,)),
            "hidden_layer_sizes",
        ),
    ],
)
def test_a_parameter_the_architecture_ignores_is_reported(params, ignored):
    X = load_digits().data[:200] / 16
    with pytest.warns(UserWarning, match=f"{ignored} only shapes architecture=.*ignored"):
        VariationalAE(n_components=2, max_iter=1, random_state=0, **params).fit(X)
