"""Small shared fixtures' data: digits scaled to [0, 1] with a fixed split."""

from functools import lru_cache

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@lru_cache(maxsize=1)
def digits_split():
    """Digits / 16, 80/20 split with random_state=0: (X_train, X_test, y_train, y_test)."""
    X, y = load_digits(return_X_y=True)
    return tuple(train_test_split(X / 16.0, y, test_size=0.2, random_state=0))


def recon_mse(model, X):
    """Per-pixel reconstruction MSE, for any model with transform/inverse_transform."""
    return float(((model.inverse_transform(model.transform(X)) - X) ** 2).mean())


class TinyEncoder(torch.nn.Sequential):
    """An encoder from ``n_features`` (filled in by AutoEncoder), for any data width."""

    def __init__(self, n_features, n_components=2, hidden=4):
        super().__init__(
            torch.nn.Linear(n_features, hidden),
            torch.nn.Tanh(),
            torch.nn.Linear(hidden, n_components),
        )


class TinyDecoder(torch.nn.Sequential):
    """A decoder back to ``n_features`` (filled in by AutoEncoder), for any data width."""

    def __init__(self, n_features, n_components=2, hidden=4):
        super().__init__(
            torch.nn.Linear(n_components, hidden),
            torch.nn.Tanh(),
            torch.nn.Linear(hidden, n_features),
        )


def tiny_autoencoder(**params):
    """``AutoEncoder`` of two small module classes, fit for data of any width.

    Classes, not instances: scikit-learn's checks hash parameters with
    joblib, and a tensor's pickle holds its memory address, so a deep copy
    of a module never hashes like the original.
    """
    from sklearn_ae import AutoEncoder

    return AutoEncoder(TinyEncoder, TinyDecoder, **params)


def tiny_estimator(cls, **params):
    """``cls`` (any public autoencoder) at CI size: a few epochs, layers of a few units.

    ConvAE gets 2 channels, RecurrentAE 4 units, AutoEncoder the tiny module
    classes above (any data width).
    """
    from sklearn_ae import AutoEncoder, ConvAE, RecurrentAE

    params = {"max_iter": 3, "random_state": 0, **params}
    if cls is AutoEncoder:
        return cls(TinyEncoder, TinyDecoder, **params)
    if cls is ConvAE:
        return cls(**{"channels": (2,), **params})
    if cls is RecurrentAE:
        return cls(**{"hidden_layer_sizes": (4,), **params})
    if "hidden_layer_sizes" in cls._get_param_names():
        params.setdefault("hidden_layer_sizes", (4,))
    return cls(**params)
