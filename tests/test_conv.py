"""ConvAE: image layouts, exact decoder sizes, quality against PCA, denoising."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from sklearn_ae import ConvAE
from sklearn_ae.modules import ConvAutoencoder


@pytest.fixture(scope="module")
def digits():
    X = load_digits().data / 16
    return train_test_split(X, test_size=0.25, random_state=0)


def _mse(a, b):
    return float(np.mean((a - b) ** 2))


@pytest.mark.parametrize(
    "image_shape, channels, pooled",
    [((1, 28, 28), (4, 4, 4), (3, 3)), ((3, 13, 9), (4, 6), (3, 2)), ((1, 1, 5), (2, 2), (1, 1))],
)
def test_decoder_restores_sizes_that_do_not_halve(image_shape, channels, pooled):
    module = ConvAutoencoder(image_shape, 3, channels=channels)
    assert module.encoder.out_shape == (channels[-1], *pooled)
    x = torch.rand(2, int(np.prod(image_shape)))
    out = module(x)
    assert out["code"].shape == (2, 3)
    assert out["recon"].shape == x.shape


def test_beats_pca_at_same_k_on_held_out_digits(digits):
    X_train, X_test = digits
    k = 4
    pca = PCA(k).fit(X_train)
    pca_mse = _mse(pca.inverse_transform(pca.transform(X_test)), X_test)
    ae = ConvAE(
        k,
        channels=(16, 32),
        loss="bce",
        max_iter=20,
        batch_size=64,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X_train)
    assert ae.image_shape_ == (1, 8, 8)
    ae_mse = _mse(ae.reconstruct(X_test), X_test)
    assert ae_mse < 0.9 * pca_mse, (ae_mse, pca_mse)


def test_layouts_round_trip(digits):
    X = digits[0][:200].astype(np.float32)
    images = X.reshape(-1, 8, 8)
    ae = ConvAE(3, channels=(4,), max_iter=2, random_state=0).fit(images)
    assert ae.input_shape_ == (8, 8) and ae.n_features_in_ == 64
    codes = ae.transform(images)
    np.testing.assert_allclose(ae.transform(X), codes, rtol=1e-6)
    np.testing.assert_allclose(ae.transform(images[:, None]), codes, rtol=1e-6)
    assert ae.inverse_transform(codes).shape == (200, 8, 8)
    assert ae.reconstruct(X).shape == (200, 8, 8)
    np.testing.assert_allclose(ae.inverse_transform(codes), ae.reconstruct(images), atol=1e-5)
    with pytest.raises(ValueError, match="fitted on images of shape"):
        ae.transform(X.reshape(-1, 4, 16))

    four_d = ConvAE(2, channels=(4,), max_iter=1, random_state=0).fit(images[:, None])
    assert four_d.reconstruct(images[:, None]).shape == (200, 1, 8, 8)


def test_image_shape_parameter(digits):
    rgb = np.random.default_rng(0).random((30, 3 * 4 * 6))
    ae = ConvAE(2, image_shape=(3, 4, 6), channels=(4,), max_iter=1, random_state=0).fit(rgb)
    assert ae.image_shape_ == (3, 4, 6)
    assert ae.reconstruct(rgb).shape == rgb.shape
    assert ConvAE(image_shape=(4, 18), channels=(4,), max_iter=1).fit(
        rgb[:, :72]
    ).image_shape_ == (1, 4, 18)
    with pytest.raises(ValueError, match="holds 64 values per image"):
        ConvAE(image_shape=(8, 8), max_iter=1).fit(rgb)
    with pytest.raises(ValueError, match="contradicts image_shape"):
        ConvAE(image_shape=(2, 32), max_iter=1).fit(digits[0].reshape(-1, 8, 8))
    # A row whose length is not a square is a 1 x W image, convolved along W.
    assert ConvAE(channels=(4,), max_iter=1).fit(rgb[:, :5]).image_shape_ == (1, 1, 5)


def test_denoising_conv_beats_plain_on_noisy_digits(digits):
    X_train, X_test = digits
    noisy = X_test + np.random.default_rng(0).normal(scale=0.4, size=X_test.shape)
    # Calibrated on pooling; the denoising effect, not the sampling, is under test.
    params = dict(
        channels=(8,), sampling="pool", max_iter=20, batch_size=64, learning_rate_init=0.01
    )
    plain = ConvAE(8, random_state=0, **params).fit(X_train)
    denoising = ConvAE(8, noise="gaussian", noise_level=0.4, random_state=0, **params)
    denoising.fit(X_train)
    plain_err = _mse(plain.reconstruct(noisy), X_test)
    denoising_err = _mse(denoising.reconstruct(noisy), X_test)
    assert denoising_err < 0.8 * plain_err, (denoising_err, plain_err)
