"""Small shared fixtures' data: digits scaled to [0, 1] with a fixed split."""

from functools import lru_cache

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
