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
