"""RecurrentAE: padding and NaN handling, layouts, learning on UCR/UEA sets."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.model_selection import train_test_split

from sklearn_ae import RecurrentAE
from sklearn_ae.datasets import fetch_ucr
from sklearn_ae.modules import RecurrentAutoencoder

FAST = dict(hidden_layer_sizes=(32,), batch_size=16, learning_rate_init=0.01, random_state=0)


def _mse(a, b):
    return float(np.nanmean((a - b) ** 2))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_encoder_stops_at_each_sequence_end(cell):
    torch.manual_seed(0)
    module = RecurrentAutoencoder(10, 2, 3, hidden_layer_sizes=(8, 5), cell=cell)
    x = torch.randn(4, 10, 2)
    padded = x.clone()
    padded[1, 6:] = float("nan")
    padded[3, 3:] = float("nan")
    with torch.no_grad():
        codes = module.encode(padded.flatten(1))
        for i, length in [(0, 10), (1, 6), (2, 10), (3, 3)]:
            h = x[i : i + 1, :length]  # every stacked layer sees only the observed steps
            for layer in module.encoder:
                h, state = layer(h)
            hidden = state[0] if cell == "lstm" else state
            # The code reads the last state and the mean state over the observed steps.
            pooled = torch.cat([hidden[-1], h.mean(dim=1)], dim=1)
            torch.testing.assert_close(codes[i], module.code(pooled)[0])
        assert torch.isfinite(module(padded.flatten(1))["recon"]).all()


def test_stacked_layers_of_different_sizes_mirror_in_the_decoder():
    module = RecurrentAutoencoder(12, 3, 4, hidden_layer_sizes=(100, 30), cell="gru")
    assert [(m.input_size, m.hidden_size) for m in module.encoder] == [(3, 100), (100, 30)]
    assert [(m.input_size, m.hidden_size) for m in module.decoder] == [(4, 30), (30, 100)]
    assert module.output.in_features == 100
    ae = RecurrentAE(hidden_layer_sizes=(16, 8), max_iter=1, random_state=0)
    ae.fit(np.random.default_rng(0).normal(size=(20, 12)))
    assert [m.hidden_size for m in ae.module_.decoder] == [8, 16]


def test_deprecated_hidden_size_and_num_layers_still_build_their_model():
    X = np.random.default_rng(0).normal(size=(20, 12))
    with pytest.warns(FutureWarning, match=r"hidden_layer_sizes=\(hidden_size,\) \* num_layers"):
        ae = RecurrentAE(hidden_size=8, num_layers=2, max_iter=1, random_state=0).fit(X)
    assert [m.hidden_size for m in ae.module_.encoder] == [8, 8]


def test_numpy_integer_parameters():
    # np.arange grids in GridSearchCV hand numpy integers to every parameter.
    X = np.random.default_rng(0).normal(size=(30, 12))
    ae = RecurrentAE(
        n_components=np.int64(3),
        n_channels=np.int32(2),
        hidden_layer_sizes=(np.int64(8), np.int16(4)),
        batch_size=np.int64(10),
        max_iter=np.int64(2),
        n_iter_no_change=np.int64(3),
        random_state=np.int64(0),
    ).fit(X)
    assert ae.transform(X).shape == (30, 3) and ae.n_channels_ == 2
    with pytest.warns(FutureWarning):
        RecurrentAE(hidden_size=np.int64(4), num_layers=np.int64(2), max_iter=1).fit(X)


def test_code_and_output_activations(shared_data):
    X = fetch_ucr("ItalyPowerDemand", data_home=shared_data).data
    X01 = (X - X.min()) / (X.max() - X.min())
    ae = RecurrentAE(3, code_activation="tanh", out_activation="logistic", max_iter=5, **FAST).fit(
        X01
    )
    codes, rec = ae.transform(X01), ae.reconstruct(X01)
    assert np.abs(codes).max() < 1 and 0 < rec.min() and rec.max() < 1
    # No quality bound: with a sigmoid output this fit reached 0.41 of the mean
    # sequence's error on one engine version and stayed at the mean on another.
    # loss="bce" already trains a sigmoid output on logits.
    bce = RecurrentAE(3, loss="bce", out_activation="logistic", max_iter=2, **FAST).fit(X01)
    assert 0 < bce.reconstruct(X01).min()
    with pytest.raises(ValueError, match="loss='bce' gives a sigmoid output"):
        RecurrentAE(3, loss="bce", out_activation="tanh", max_iter=1).fit(X01)


def test_nan_padding_is_masked_and_kept(shared_data):
    X = fetch_ucr("ItalyPowerDemand", data_home=shared_data).data
    rng = np.random.default_rng(0)
    padded = X.copy()
    lengths = rng.integers(12, 25, size=len(X))
    for row, length in zip(padded, lengths, strict=True):
        row[length:] = np.nan
    ae = RecurrentAE(3, max_iter=5, **FAST).fit(padded)
    assert np.isfinite(ae.loss_curve_).all()
    rec = ae.reconstruct(padded)
    np.testing.assert_array_equal(np.isnan(rec), np.isnan(padded))
    assert np.isfinite(ae.transform(padded)).all()
    assert np.isfinite(ae.inverse_transform(ae.transform(padded))).all()
    # Padded values never reach the code.
    shuffled = np.where(np.isnan(padded), np.nan, padded)
    np.testing.assert_allclose(ae.transform(shuffled), ae.transform(padded))
    assert np.isfinite(ae.score_samples(padded)).all()

    with pytest.raises(ValueError, match="no observed value"):
        ae.transform(np.vstack([padded[:2], np.full((1, 24), np.nan)]))
    bad = padded[:3].copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        ae.transform(bad)


def test_defaults_learn_gunpoint_far_below_the_mean_sequence(shared_data):
    # 150 steps: with the code read from the last LSTM state only, a decoder
    # fed a constant code and torch's RNN initialisation, the default fit sat
    # at the mean sequence's error (ratio 1.00 after 200 epochs). Seeds 0-1
    # reach 0.29-0.32 of it in 100 epochs (about 18 s on one core).
    X_train = fetch_ucr("GunPoint", data_home=shared_data).data
    X_test = fetch_ucr("GunPoint", data_home=shared_data, subset="test").data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ae = RecurrentAE(4, max_iter=100, random_state=0).fit(X_train)
    # Not stopped early on a plateau: it ran the whole budget and said so.
    assert ae.n_iter_ == 100
    assert [str(w.message) for w in caught if "max_iter" not in str(w.message)] == []
    baseline = _mse(X_train.mean(axis=0), X_test)
    assert _mse(ae.reconstruct(X_test), X_test) < 0.4 * baseline
    assert ae.loss_curve_[-1] < 0.4 * ae.loss_curve_[0]


def test_gradient_norm_is_clipped():
    ae = RecurrentAE(max_iter=1, random_state=0).fit(
        np.random.default_rng(0).normal(size=(20, 12))
    )
    clip = dict(ae.net_.callbacks_)["gradient_clipping"]
    assert clip.gradient_clip_value == 1.0
    # A warm start and partial_fit rebuild the net: still clipped.
    ae.partial_fit(np.random.default_rng(1).normal(size=(20, 12)))
    assert "gradient_clipping" in dict(ae.net_.callbacks_)


def test_learns_italy_power_demand_far_below_mean_baseline(shared_data):
    X_train = fetch_ucr("ItalyPowerDemand", data_home=shared_data).data
    X_test = fetch_ucr("ItalyPowerDemand", data_home=shared_data, subset="test").data
    # lr=0.01 (FAST) makes the LSTM's loss spike, and the stopping rule ended
    # one seed's fit at 0.46 of its first loss; at 0.005 seeds 0-2 reach 0.20-0.27.
    settings = {**FAST, "learning_rate_init": 0.005}
    ae = RecurrentAE(4, max_iter=80, n_iter_no_change=20, **settings).fit(X_train)
    assert ae.loss_curve_[-1] < 0.3 * ae.loss_curve_[0]
    baseline = _mse(X_train.mean(axis=0), X_test)
    assert _mse(ae.reconstruct(X_test), X_test) < 0.4 * baseline


def test_ecg5000_split_with_variable_lengths(shared_data):
    X = fetch_ucr("ECG5000", data_home=shared_data).data[:, ::4]  # 35 steps
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
    X_train = X_train.copy()
    X_train[::3, 25:] = np.nan  # a third of the sequences are shorter
    # 30 epochs left it at 0.517 of the baseline, still falling (the test failed
    # whatever the thread count): it was stopped short, not unlucky.
    ae = RecurrentAE(4, max_iter=80, **FAST).fit(X_train)
    baseline = _mse(np.nanmean(X_train, axis=0), X_test)
    assert _mse(ae.reconstruct(X_test), X_test) < 0.5 * baseline


def test_multivariate_layouts_basic_motions(shared_data):
    X = fetch_ucr("BasicMotions", data_home=shared_data).data[:, ::4]  # (40, 25, 6)
    X = (X - X.mean(axis=(0, 1))) / X.std(axis=(0, 1))
    # Fitting the training rows, as the layouts' check: early_stopping="auto"
    # would keep an early epoch on these 40 sequences, which share little
    # (tests/test_defaults.py::test_recurrent_defaults_do_not_learn_few_sequences_by_heart).
    ae = RecurrentAE(8, max_iter=60, n_iter_no_change=100, early_stopping=False, **FAST).fit(X)
    assert (ae.n_timesteps_, ae.n_channels_, ae.input_shape_) == (25, 6, (25, 6))
    rec = ae.reconstruct(X)
    assert rec.shape == X.shape
    # Noisy accelerometer data: a modest but real gain over the mean sequence.
    assert _mse(rec, X) < 0.9 * _mse(X.mean(axis=0), X)
    flat = X.reshape(len(X), -1)
    np.testing.assert_allclose(ae.transform(flat), ae.transform(X), rtol=1e-6)
    with pytest.raises(ValueError, match="fitted on"):
        ae.transform(X.reshape(40, 50, 3))

    flat_ae = RecurrentAE(8, n_channels=6, max_iter=2, **FAST).fit(flat)
    assert flat_ae.n_timesteps_ == 25 and flat_ae.reconstruct(flat).shape == flat.shape
    with pytest.raises(ValueError, match="not a multiple of n_channels=4"):
        RecurrentAE(n_channels=4, max_iter=1).fit(flat[:, :10])
    with pytest.raises(ValueError, match="contradicts"):
        RecurrentAE(n_channels=3, max_iter=1).fit(X)


def test_learns_gunpoint_far_below_mean_baseline(shared_data):
    # Every 5th of 150 steps: the shape of the motion, at a fraction of the cost.
    # A GRU: the LSTM sits on a plateau here long enough for the stopping rule.
    X_train = fetch_ucr("GunPoint", data_home=shared_data).data[:, ::5]
    X_test = fetch_ucr("GunPoint", data_home=shared_data, subset="test").data[:, ::5]
    ae = RecurrentAE(4, cell="gru", max_iter=100, **FAST).fit(X_train)
    baseline = _mse(X_train.mean(axis=0), X_test)
    assert _mse(ae.reconstruct(X_test), X_test) < 0.5 * baseline
