"""ConvAE and the conv VariationalAE: image layouts, exact decoder sizes, sampling and
bottleneck options, activations, quality against PCA, denoising, cost estimate."""

import copy
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_ae import AutoEncoder, ConvAE, VariationalAE
from sklearn_ae._conv import conv_flops_per_sample
from sklearn_ae.modules import ConvAutoencoder
from sklearn_ae.modules._conv import FeatureMapHead

from ._helpers import digits_split


@pytest.fixture(scope="module")
def digits():
    X = load_digits().data / 16
    return train_test_split(X, test_size=0.25, random_state=0)


def _mse(a, b):
    return float(np.mean((a - b) ** 2))


@pytest.mark.parametrize(
    "image_shape, channels, pooled, strided",
    [
        ((1, 28, 28), (4, 4, 4), (3, 3), (4, 4)),
        ((3, 13, 9), (4, 6), (3, 2), (4, 3)),
        ((1, 1, 5), (2, 2), (1, 1), (1, 2)),
    ],
)
@pytest.mark.parametrize("kernel_size", [3, 4])
def test_decoder_restores_sizes_that_do_not_halve(
    image_shape, channels, pooled, strided, kernel_size
):
    x = torch.rand(2, int(np.prod(image_shape)))
    for sampling, reduced in (("pool", pooled), ("stride", strided)):
        module = ConvAutoencoder(
            image_shape, 3, channels=channels, kernel_size=kernel_size, sampling=sampling
        )
        if kernel_size == 3:  # even kernels floor odd sizes when strided
            assert module.encoder.out_shape == (channels[-1], *reduced), sampling
        out = module(x)
        assert out["code"].shape == (2, 3)
        assert out["recon"].shape == x.shape
        # The feature map itself as the code: no dense layer, same round trip.
        size = module.encoder.out_features
        conv_code = ConvAutoencoder(
            image_shape,
            size,
            channels=channels,
            kernel_size=kernel_size,
            sampling=sampling,
            bottleneck="conv",
        )
        assert not any(isinstance(m, torch.nn.Linear) for m in conv_code.modules())
        out = conv_code(x)
        assert out["code"].shape == (2, size) and out["recon"].shape == x.shape


@pytest.mark.parametrize("sampling", ["pool", "stride"])
def test_beats_pca_at_same_k_on_held_out_digits(digits, sampling):
    X_train, X_test = digits
    k = 4
    pca = PCA(k).fit(X_train)
    pca_mse = _mse(pca.inverse_transform(pca.transform(X_test)), X_test)
    ae = ConvAE(
        k,
        channels=(16, 32),
        sampling=sampling,
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


@pytest.mark.parametrize("sampling", ["pool", "stride"])
def test_feature_map_code_beats_the_mean_image(digits, sampling):
    # 8x8 -> 4x4 -> 2x2 with 2 maps: a code of 8 local values, no dense layer.
    X_train, X_test = digits
    ae = ConvAE(
        8,
        channels=(16, 2),
        sampling=sampling,
        bottleneck="conv",
        max_iter=25,
        batch_size=64,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X_train)
    assert ae.transform(X_test).shape == (len(X_test), 8)
    ae_mse, mean_mse = _mse(ae.reconstruct(X_test), X_test), _mse(X_train.mean(axis=0), X_test)
    assert ae_mse < 0.5 * mean_mse, (ae_mse, mean_mse)


def test_feature_map_code_size_is_checked(digits):
    X = digits[0][:50]
    with pytest.raises(ValueError, match=r"2 x 2 x 2 = 8 values.*n_components must be 8, not 5"):
        ConvAE(5, channels=(4, 2), bottleneck="conv", max_iter=1).fit(X)
    with pytest.raises(ValueError, match="channels=\\(\\) has no convolution"):
        ConvAE(4, channels=(), bottleneck="conv", max_iter=1).fit(X)
    with pytest.raises(ValueError, match="sampling"):
        ConvAE(4, sampling="maxpool", max_iter=1).fit(X)
    with pytest.raises(ValueError, match="needs architecture='conv'"):
        VariationalAE(4, bottleneck="conv", max_iter=1).fit(X)


def test_code_and_output_activations(digits):
    X_train, X_test = digits
    params = dict(channels=(16, 32), max_iter=20, batch_size=64, learning_rate_init=0.01)
    relu_code = ConvAE(8, code_activation="relu", random_state=0, **params).fit(X_train)
    codes = relu_code.transform(X_test)
    assert codes.min() == 0 and 0.1 < (codes == 0).mean() < 0.9
    relu_mse, mean_mse = _mse(relu_code.reconstruct(X_test), X_test), _mse(X_train.mean(0), X_test)
    assert relu_mse < 0.5 * mean_mse, (relu_mse, mean_mse)

    sigmoid = ConvAE(8, out_activation="logistic", random_state=0, **params).fit(X_train)
    recon = sigmoid.reconstruct(X_test)
    assert recon.min() > 0 and recon.max() < 1
    pca = PCA(8).fit(X_train)
    pca_mse = _mse(pca.inverse_transform(pca.transform(X_test)), X_test)
    assert _mse(recon, X_test) < 0.9 * pca_mse, (_mse(recon, X_test), pca_mse)

    conv_code = ConvAE(8, channels=(8, 2), bottleneck="conv", code_activation="relu", max_iter=1)
    assert conv_code.fit(X_train[:100]).transform(X_test).min() >= 0

    # With the cross-entropy the output is a sigmoid of logits: "logistic" is the same model.
    bce = [
        ConvAE(4, channels=(4,), loss="bce", out_activation=out, max_iter=2, random_state=0)
        .fit(X_train[:200])
        .reconstruct(X_test)
        for out in ("identity", "logistic")
    ]
    np.testing.assert_array_equal(*bce)
    with pytest.raises(ValueError, match="loss='bce' gives a sigmoid output"):
        ConvAE(4, loss="bce", out_activation="tanh", max_iter=1).fit(X_train[:50])


@pytest.mark.parametrize("sampling", ["pool", "stride"])
def test_conv_vae_with_a_feature_map_code_learns(digits, sampling):
    X_train, X_test = digits
    images = X_train.reshape(-1, 8, 8)
    vae = VariationalAE(
        8,
        architecture="conv",
        channels=(16, 2),
        sampling=sampling,
        bottleneck="conv",
        loss="bce",
        beta=0.05,
        max_iter=20,
        batch_size=64,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(images)
    assert isinstance(vae.module_.mu, FeatureMapHead)
    assert vae.transform(X_test).shape == (len(X_test), 8)
    samples = vae.sample(5, random_state=0)
    assert samples.shape == (5, 8, 8) and samples.min() > 0 and samples.max() < 1
    assert np.isfinite(vae.score_samples(X_test)).all()
    if sampling == "stride":  # with pooling, 20 epochs stay near the mean image
        mean_mse = _mse(X_train.mean(axis=0), X_test)
        recon_mse = _mse(vae.reconstruct(X_test).reshape(len(X_test), -1), X_test)
        assert recon_mse < 0.8 * mean_mse, (recon_mse, mean_mse)


def test_flops_count_convolutions_at_every_position():
    X = np.random.default_rng(0).random((8, 28, 28))
    ae = ConvAE(16, max_iter=1, random_state=0).fit(X)
    # Multiply-adds of 1->32 at 14x14, 32->64 at 7x7, the two 3136x16 dense
    # layers, and the two transposed convolutions (the same again).
    macs = 2 * (14 * 14 * 32 * 9 + 7 * 7 * 64 * 32 * 9) + 2 * 3136 * 16
    assert ae._flops_per_sample(ae.module_) == 2 * macs
    weights = sum(p.numel() for p in ae.module_.parameters())
    assert ae._flops_per_sample(ae.module_) > 10 * 2 * weights
    pooled = ConvAutoencoder((1, 28, 28), 16, sampling="pool")
    assert conv_flops_per_sample(pooled, 784) > 3 * ae._flops_per_sample(ae.module_)


def test_sgd_at_a_plain_torch_loops_rate_needs_its_momentum():
    # Issue 24: a conv autoencoder that trains at SGD lr=1.0 in a plain torch
    # loop collapsed in ConvAE. The engine is not the difference (the same
    # layers through AutoEncoder give the same curve): solver="sgd" has MLP's
    # momentum 0.9 where torch.optim.SGD has none, 10x longer steps.
    X = digits_split()[0].reshape(-1, 8, 8)
    params = dict(
        n_components=32,
        channels=(16, 8),
        sampling="pool",
        bottleneck="conv",
        code_activation="relu",
        loss="bce",
        solver="sgd",
        learning_rate_init=1.0,
        batch_size=64,
        max_iter=3,
        tol=0.0,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=3 on purpose
        conv = ConvAE(momentum=0.0, **params).fit(X)
        same_layers = AutoEncoder(
            conv.module_.encoder,
            conv.module_.decoder,
            **{k: params[k] for k in ("loss", "solver", "learning_rate_init", "batch_size")},
            **{k: params[k] for k in ("max_iter", "tol", "random_state")},
            momentum=0.0,
        ).fit(X)
    np.testing.assert_allclose(same_layers.loss_curve_, conv.loss_curve_, rtol=1e-5)
    # A plain torch loop: the same layers, torch's default init, SGD(lr=1.0).
    module = copy.deepcopy(conv.module_)
    rows = torch.as_tensor(X.reshape(len(X), -1), dtype=torch.float32)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        for layer in module.modules():
            if layer is not module and hasattr(layer, "reset_parameters"):
                layer.reset_parameters()
        optimizer = torch.optim.SGD(module.parameters(), lr=1.0)
        for _ in range(3):
            total = 0.0
            for batch in torch.randperm(len(rows)).split(64):
                x = rows[batch]
                loss = F.binary_cross_entropy_with_logits(module(x)["recon"], x)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(batch)
    plain = total / len(rows)
    # Different draws of the same procedure: within 5 % after three epochs.
    assert conv.loss_curve_[-1] == pytest.approx(plain, rel=0.05)
    # MLP's momentum at that rate: every code dies, and the warning says why.
    with pytest.warns(ConvergenceWarning, match="needs momentum=0"):
        collapsed = ConvAE(**params).fit(X)
    assert collapsed.loss_curve_[-1] > 1.3 * plain
