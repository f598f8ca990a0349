"""AutoEncoder(encoder, decoder): your own torch modules through the one engine."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from torch import nn

from sklearn_ae import AutoEncoder

from ._helpers import TinyDecoder, TinyEncoder, digits_split, recon_mse


def _dense_pair(n_components=8):
    encoder = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, n_components))
    decoder = nn.Sequential(nn.Linear(n_components, 32), nn.ReLU(), nn.Linear(32, 64))
    return encoder, decoder


class ConvEncoder(nn.Module):
    """(n, 1, 8, 8) -> a (n, 2, 2, 2) feature map: the code is the map itself."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 2, 3, padding=1),
            nn.MaxPool2d(2),
        )

    def forward(self, x):
        return self.layers(x)


class ConvDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Upsample(scale_factor=2),
            nn.Conv2d(2, 8, 3, padding=1),
            nn.ReLU(),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(8, 1, 3, padding=1),
        )

    def forward(self, z):
        assert z.shape[1:] == (2, 2, 2)  # the code comes back in the encoder's shape
        return self.layers(z)


def _mean_baseline(X_train, X_test):
    return float(((X_train.mean(axis=0) - X_test) ** 2).mean())


def test_instances_are_copied_reinitialised_and_never_trained():
    X_train, X_test, _, _ = digits_split()
    encoder, decoder = _dense_pair()
    before = {k: v.clone() for k, v in encoder.state_dict().items()}
    ae = AutoEncoder(encoder, decoder, max_iter=30, learning_rate_init=0.01, random_state=0)
    ae.fit(X_train)
    for key, value in encoder.state_dict().items():
        torch.testing.assert_close(value, before[key])  # the instance passed is untouched
    trained = ae.module_.encoder.state_dict()
    assert not torch.equal(trained["0.weight"], before["0.weight"])
    assert ae.n_components_ == 8 and ae.transform(X_test).shape == (len(X_test), 8)
    # clone + fit is a fresh model: the same one, since the seed is the same...
    again = clone(ae).fit(X_train)
    np.testing.assert_array_equal(again.transform(X_test), ae.transform(X_test))
    # ...and its starting weights come from random_state, not from the instance.
    other = AutoEncoder(encoder, decoder, max_iter=1, random_state=1).fit(X_train)
    assert not np.allclose(
        other.transform(X_test),
        clone(other).set_params(random_state=2).fit(X_train).transform(X_test),
    )
    # It learns: 0.32 of the mean image's error on held-out digits (PCA(8): 0.34).
    assert recon_mse(ae, X_test) < 0.45 * _mean_baseline(X_train, X_test)

    restored = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(restored.transform(X_test), ae.transform(X_test))


def test_conv_modules_on_images_with_a_feature_map_code():
    X_train, X_test, _, _ = digits_split()
    images = X_train.reshape(-1, 1, 8, 8)
    ae = AutoEncoder(ConvEncoder(), ConvDecoder(), max_iter=15, learning_rate_init=0.01)
    ae.set_params(random_state=0).fit(images)
    assert (ae.code_shape_, ae.n_components_, ae.input_shape_) == ((2, 2, 2), 8, (1, 8, 8))
    assert ae.reconstruct(X_test.reshape(-1, 1, 8, 8)).shape == (len(X_test), 1, 8, 8)
    # Flat rows are read through the fitted layout too.
    np.testing.assert_allclose(
        ae.transform(X_test), ae.transform(X_test.reshape(-1, 1, 8, 8)), rtol=1e-6
    )
    # 0.72 of the mean image's error after 15 epochs.
    baseline = _mean_baseline(X_train, X_test)
    assert recon_mse(ae, X_test.reshape(-1, 1, 8, 8)) < 0.85 * baseline

    flat = AutoEncoder(ConvEncoder, ConvDecoder, input_shape=(1, 8, 8), max_iter=2).fit(X_train)
    assert flat.reconstruct(X_test).shape == X_test.shape
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        flat.transform(X_test.reshape(-1, 8, 8))


def test_classes_get_n_features_and_n_components_so_grid_search_can_tune_them():
    X_train, X_test, _, _ = digits_split()
    base = AutoEncoder(
        TinyEncoder,
        TinyDecoder,
        encoder_params={"hidden": 32},
        decoder_params={"hidden": 32},
        max_iter=20,
        learning_rate_init=0.01,
        random_state=0,
    )
    search = GridSearchCV(base, {"n_components": [1, 8]}, cv=2).fit(X_train)
    assert search.best_params_ == {"n_components": 8}
    assert search.best_estimator_.module_.encoder[0].out_features == 32
    assert search.best_estimator_.transform(X_test).shape == (len(X_test), 8)


def test_noise_and_early_stopping_go_through_the_engine():
    X_train, _, _, _ = digits_split()
    ae = AutoEncoder(
        *_dense_pair(),
        noise="masking",
        noise_level=0.3,
        early_stopping=True,
        max_iter=30,
        n_iter_no_change=3,
        random_state=0,
    ).fit(X_train)
    assert len(ae.validation_loss_curve_) == ae.n_iter_
    assert ae.best_validation_loss_ < 0.5 * ae.validation_loss_curve_[0]


def test_clear_errors_for_modules_that_do_not_fit():
    X = digits_split()[0][:50]
    encoder, decoder = _dense_pair()
    with pytest.raises(ValueError, match="n_components=3, but the encoder returns codes of 8"):
        AutoEncoder(encoder, decoder, n_components=3, max_iter=1).fit(X)
    with pytest.raises(ValueError, match="decoder must return n_features=64"):
        AutoEncoder(encoder, nn.Linear(8, 10), max_iter=1).fit(X)
    with pytest.raises(ValueError, match=r"encoder fails on a batch of shape .2, 64.*input_shape"):
        AutoEncoder(nn.Linear(10, 2), decoder, max_iter=1).fit(X)
    with pytest.raises(ValueError, match="encoder_params applies only when encoder is a class"):
        AutoEncoder(encoder, decoder, encoder_params={"hidden": 3}, max_iter=1).fit(X)
    with pytest.raises(ValueError, match=r"input_shape=.*holds 63 values"):
        AutoEncoder(encoder, decoder, input_shape=(7, 9), max_iter=1).fit(X)
    with pytest.raises(TypeError, match=r"not a torch\.nn\.Module"):
        AutoEncoder(lambda: "x", decoder, max_iter=1).fit(X)


class PoolingEncoder(nn.Module):
    """(n, 1, 8, 8) -> a 16-unit code, plus the max-pooling indices for the decoder."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU())
        self.pool = nn.MaxPool2d(2, return_indices=True)
        self.dense = nn.Linear(8 * 4 * 4, 16)

    def forward(self, x):
        h, indices = self.pool(self.conv(x))
        return self.dense(h.flatten(1)), indices


class UnpoolingDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(16, 8 * 4 * 4)
        self.unpool = nn.MaxUnpool2d(2)
        self.conv = nn.Conv2d(8, 1, 3, padding=1)

    def forward(self, z, indices):
        return self.conv(self.unpool(self.dense(z).reshape(-1, 8, 4, 4), indices))


def test_extras_of_the_encoder_reach_the_decoder():
    X_train, X_test, *_ = digits_split()
    ae = AutoEncoder(
        PoolingEncoder(), UnpoolingDecoder(), input_shape=(1, 8, 8), max_iter=30, random_state=0
    ).fit(X_train)
    # transform gives the code alone; the indices only pass to the decoder.
    assert ae.transform(X_test).shape == (len(X_test), 16) and ae.n_components_ == 16
    error = float(((ae.reconstruct(X_test) - X_test) ** 2).mean())
    assert error < 0.5 * _mean_baseline(X_train, X_test)
    assert -ae.score(X_test) == pytest.approx(error, rel=1e-6)
    # Codes alone cannot be decoded: the unpooling needs the indices.
    with pytest.raises(ValueError, match="reconstruct"):
        ae.inverse_transform(ae.transform(X_test))


def _lazy_encoder():
    return nn.Sequential(nn.LazyLinear(16), nn.Tanh(), nn.LazyLinear(2))


def test_a_lazy_instance_is_never_sized_so_any_width_fits_and_it_pickles():
    X_train, X_test, *_ = digits_split()
    encoder = _lazy_encoder()
    ae = AutoEncoder(encoder, TinyDecoder, n_components=2, max_iter=2, random_state=0)
    unfitted = pickle.loads(pickle.dumps(ae))  # was "uninitialized parameter"
    assert isinstance(unfitted.encoder[0].weight, nn.parameter.UninitializedParameter)
    ae.fit(X_train[:100, :10])
    # The instance passed is left as it was, so a fit on another width works.
    assert isinstance(encoder[0].weight, nn.parameter.UninitializedParameter)
    ae.fit(X_train[:100])
    assert ae.module_.encoder[0].in_features == 64
    loaded = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(loaded.transform(X_test), ae.transform(X_test))
    # Unfitted, pickled and fitted: the same model as the original would be.
    np.testing.assert_array_equal(
        unfitted.fit(X_train[:100]).transform(X_test), ae.transform(X_test)
    )
