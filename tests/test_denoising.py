"""Denoising: corruption during training, and a DenoisingAE that undoes it."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_ae import DenoisingAE, LinearAE, StackedAE

X_TRAIN, X_TEST = train_test_split(load_digits().data / 16, test_size=0.3, random_state=0)
NET = dict(n_components=32, hidden_layer_sizes=(128,), max_iter=30, batch_size=32, random_state=0)


def _mse(model, X_noisy):
    return float(np.mean((model.reconstruct(X_noisy) - X_TEST) ** 2))


@pytest.fixture(scope="module")
def clean_model():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return StackedAE(**NET).fit(X_TRAIN)


def test_defaults_differ_from_stacked_only_in_noise():
    dae, sae = DenoisingAE().get_params(), StackedAE().get_params()
    assert (dae["noise"], dae["noise_level"]) == ("masking", 0.25)
    assert {k for k in dae if dae[k] != sae[k]} == {"noise", "noise_level"}


@pytest.mark.parametrize(
    "noise, corrupt",
    [
        ("gaussian", lambda X, rng: X + 0.3 * rng.standard_normal(X.shape)),
        ("masking", lambda X, rng: X * (rng.random(X.shape) >= 0.25)),
    ],
)
def test_denoises_better_than_clean_training(clean_model, noise, corrupt):
    X_noisy = corrupt(X_TEST, np.random.default_rng(0))
    dae = DenoisingAE(noise=noise, noise_level=0.3 if noise == "gaussian" else 0.25, **NET)
    dae.fit(X_TRAIN)
    # At least 20 % closer to the clean images (measured: 45 % and 47 %).
    assert _mse(dae, X_noisy) < 0.8 * _mse(clean_model, X_noisy)


@pytest.mark.parametrize("cls", [LinearAE, StackedAE])
@pytest.mark.parametrize("noise", ["gaussian", "masking"])
def test_noise_parameter_trains_on_corrupted_inputs(cls, noise):
    kw = dict(n_components=8, max_iter=5, random_state=0)
    if cls is StackedAE:
        kw["hidden_layer_sizes"] = (32,)
    clean = cls(**kw).fit(X_TRAIN)
    noisy = cls(noise=noise, noise_level=0.3, **kw).fit(X_TRAIN)
    again = cls(noise=noise, noise_level=0.3, **kw).fit(X_TRAIN)
    # Same seed, same initialisation: only the corruption can tell them apart.
    assert not np.allclose(clean.transform(X_TEST), noisy.transform(X_TEST))
    np.testing.assert_array_equal(noisy.transform(X_TEST), again.transform(X_TEST))
    # Inference never corrupts.
    np.testing.assert_array_equal(noisy.transform(X_TEST), noisy.transform(X_TEST))


def test_masking_level_must_be_a_probability():
    with pytest.raises(ValueError, match="masking"):
        DenoisingAE(noise_level=1.5, max_iter=1).fit(X_TRAIN)


def test_dropout_noise_rescales_kept_entries():
    import torch

    from sklearn_ae._corruption import CLEAN_SHARE, make_corruption

    x = torch.full((1000, 1000), 0.5)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        masked = make_corruption("masking", 0.25)(x)
        torch.manual_seed(0)
        dropped = make_corruption("dropout", 0.25)(x)
    # The same entries are zeroed; the kept ones are divided by 1 - p, as in
    # dropout, except in the rows left whole (CLEAN_SHARE), which are as they were.
    np.testing.assert_array_equal((masked == 0).numpy(), (dropped == 0).numpy())
    whole = (dropped == 0.5).all(dim=1)
    assert whole.sum() == pytest.approx(1000 * CLEAN_SHARE, abs=40)  # 3 sd
    assert not (masked[whole] == 0).any() and (masked[~whole] == 0).any(dim=1).all()
    np.testing.assert_allclose(torch.unique(dropped[~whole]).numpy(), [0.0, 0.5 / 0.75], rtol=1e-6)
    assert float(dropped.mean()) == pytest.approx(0.5, abs=2e-3)  # the clean mean
    share = float(whole.float().mean())
    assert float(masked.mean()) == pytest.approx(0.5 * share + 0.375 * (1 - share), abs=2e-3)
    with pytest.raises(ValueError, match="noise='dropout' needs noise_level in"):
        DenoisingAE(noise="dropout", noise_level=1.0, max_iter=1).fit(X_TRAIN)


def test_rows_left_whole_keep_masking_as_good_on_clean_rows_as_dropout():
    # Masking shrinks the training inputs by 1 - p: clean inputs at transform
    # time look brighter than anything seen in training. Dropout noise keeps
    # the scale; masking keeps a share of the rows whole (CLEAN_SHARE), so
    # the network learns clean rows too.
    kw = dict(n_components=8, hidden_layer_sizes=(32,), max_iter=30, noise_level=0.5)
    kw.update(random_state=0, learning_rate_init=0.01)
    err = {
        noise: (
            (DenoisingAE(noise=noise, **kw).fit(X_TRAIN).reconstruct(X_TEST) - X_TEST) ** 2
        ).mean()
        for noise in ("masking", "dropout")
    }
    # Measured: masking 0.027, dropout 0.028; with every row masked, 0.035.
    assert err["masking"] < 1.1 * err["dropout"]


def test_masking_fills_features_away_from_zero_with_their_mean():
    # Ratings-like data around 100 (as sklearn's estimator checks use): a 0 is a
    # value no row has. Zero-masking trained the model to undo it and wrecked
    # its reconstructions of clean rows (MSE 6.6 against the variance's 1.0).
    rng = np.random.default_rng(0)
    X = rng.normal(100.0, 1.0, size=(300, 4))
    X[:, 3] = rng.uniform(-1.0, 1.0, 300)  # this feature spans 0: masked to 0
    dae = DenoisingAE(n_components=2, hidden_layer_sizes=(16,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dae.fit(X)
    fill = dae.net_.corruption.fill_.numpy()
    np.testing.assert_allclose(fill[:3], X[:, :3].mean(0), atol=0.1)
    assert fill[3] == 0.0
    error = ((dae.reconstruct(X) - X) ** 2).mean()
    assert error < 0.8 * X.var(0).mean()  # better than the mean (0.57 when written)


def test_masking_data_spanning_zero_is_zeroed_as_published():
    dae = DenoisingAE(n_components=4, hidden_layer_sizes=(8,), max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dae.fit(X_TRAIN)  # pixels in [0, 1]
    assert dae.net_.corruption.fill_ is None
