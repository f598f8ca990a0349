"""The data sets of the comparison, split into train and held-out test rows."""

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

__all__ = ["DATASETS", "ComparisonData", "load_comparison_data"]

DATASETS = ("digits", "mnist", "fashion-mnist")


@dataclass
class ComparisonData:
    """Train and test rows of one data set, pixels in [0, 1]."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple
    target_names: list
    description: str


def _subsample(X, y, n, rng):
    """``n`` rows drawn without replacement, kept in their original order."""
    if n is None or n >= X.shape[0]:
        return X, y
    rows = np.sort(rng.choice(X.shape[0], size=n, replace=False))
    return X[rows], y[rows]


def load_comparison_data(
    name="digits", *, data_home=None, n_train=None, n_test=None, random_state=0
):
    """Load a comparison data set with its official (or a fixed) train/test split.

    Parameters
    ----------
    name : {"digits", "mnist", "fashion-mnist"}, default="digits"
        ``digits`` ships with scikit-learn (works offline; 8x8 pixels / 16,
        split 75/25 stratified); the others are read through
        :mod:`sklearn_ae.datasets` with their official 60,000/10,000 split.
    data_home : str or path-like, default=None
        Where MNIST and Fashion-MNIST are looked for (and downloaded to).
    n_train, n_test : int, default=None
        Random subsets of that many rows (None keeps the whole split).
    random_state : int, default=0
        Seed of the digits split and of the subsets.

    Returns
    -------
    data : ComparisonData
    """
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {DATASETS}.")
    rng = check_random_state(random_state)
    if name == "digits":
        digits = load_digits()
        X = (digits.data / 16.0).astype(np.float32)
        X_train, X_test, y_train, y_test = train_test_split(
            X, digits.target, test_size=0.25, stratify=digits.target, random_state=random_state
        )
        shape, names = (8, 8), [str(t) for t in digits.target_names]
        descr = "scikit-learn digits: 1,797 8x8 images / 16, split 75/25 stratified"
    else:
        from .. import datasets

        fetch = datasets.fetch_mnist if name == "mnist" else datasets.fetch_fashion_mnist
        train = fetch(data_home=data_home, subset="train")
        test = fetch(data_home=data_home, subset="test")
        X_train, y_train, X_test, y_test = train.data, train.target, test.data, test.target
        shape, names = (28, 28), [str(t) for t in train.target_names]
        descr = f"{name}: 28x28 images / 255, official 60,000/10,000 split"
    X_train, y_train = _subsample(X_train, y_train, n_train, rng)
    X_test, y_test = _subsample(X_test, y_test, n_test, rng)
    return ComparisonData(name, X_train, y_train, X_test, y_test, shape, names, descr)
