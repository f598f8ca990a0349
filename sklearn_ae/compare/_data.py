"""The data sets of the comparison, split into train and held-out test rows."""

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

__all__ = ["DATASETS", "UCR_SETS", "ComparisonData", "load_comparison_data"]

# name -> (loader of sklearn_ae.datasets, what it is). UCR/UEA sets other than
# these are reached as "ucr:<Name>" (downloaded into data_home when missing).
# 20 Newsgroups is left out: sparse TF-IDF rows, which scikit-learn's t-SNE
# and a per-value MSE do not suit (see the text retrieval example instead).
DATASETS = {
    "digits": "scikit-learn's 1,797 8x8 digits (bundled, works offline)",
    "mnist": "MNIST, 28x28 handwritten digits (fetch_mnist)",
    "fashion-mnist": "Fashion-MNIST, 28x28 clothing images (fetch_fashion_mnist)",
    "olivetti": "Olivetti faces, 400 64x64 images of 40 people (fetch_olivetti)",
    "gunpoint": "UCR GunPoint, 150-step motion series, 2 classes (fetch_ucr)",
    "italypowerdemand": "UCR ItalyPowerDemand, 24-step daily load series (fetch_ucr)",
    "ecg5000": "UCR ECG5000, 140-step heartbeats, 5 classes (fetch_ucr)",
    "basicmotions": "UEA BasicMotions, 100 steps x 6 sensor channels (fetch_ucr)",
}
UCR_SETS = {
    "gunpoint": "GunPoint",
    "italypowerdemand": "ItalyPowerDemand",
    "ecg5000": "ECG5000",
    "basicmotions": "BasicMotions",
}


@dataclass
class ComparisonData:
    """Train and test rows of one data set.

    ``kind`` is ``"image"`` (pixels in [0, 1], ``shape`` the image's) or
    ``"series"`` (flat rows of ``shape = (n_timesteps, n_channels)``).
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple
    target_names: list
    description: str
    kind: str = "image"


def _subsample(X, y, n, rng):
    """``n`` rows drawn without replacement, kept in their original order."""
    if n is None or n >= X.shape[0]:
        return X, y
    rows = np.sort(rng.choice(X.shape[0], size=n, replace=False))
    return X[rows], y[rows]


def _split(X, y, random_state):
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=random_state)


def _names(y):
    return [str(t) for t in np.unique(y)]


def _load_ucr(name, data_home, random_state):
    from .. import datasets

    train = datasets.fetch_ucr(name, data_home=data_home)
    try:
        test = datasets.fetch_ucr(name, data_home=data_home, subset="test")
    except OSError:
        test = None  # ECG5000 is staged with its training file only
    if test is None or test.data.shape[1:] != train.data.shape[1:]:
        X_train, X_test, y_train, y_test = _split(train.data, train.target, random_state)
        split = "its training file split 75/25 stratified"
    else:
        X_train, y_train, X_test, y_test = train.data, train.target, test.data, test.target
        split = "official train/test split"
    shape = X_train.shape[1:] if X_train.ndim == 3 else (X_train.shape[1], 1)
    if np.isnan(X_train).any() or np.isnan(X_test).any():
        raise ValueError(
            f"UCR set {name} holds NaN (missing values or sequences of unequal length), "
            "which PCA and t-SNE cannot take; compare RecurrentAE on it directly."
        )
    # Channels standardised with training statistics (univariate UCR series
    # come z-normalised per series already).
    mean = X_train.reshape(-1, shape[1]).mean(axis=0)
    std = X_train.reshape(-1, shape[1]).std(axis=0)
    flat = lambda X: ((X.reshape(len(X), *shape) - mean) / std).reshape(len(X), -1)  # noqa: E731
    descr = f"{name}: {shape[0]} steps x {shape[1]} channel(s), standardised per channel; {split}"
    return (
        flat(X_train).astype(np.float32),
        y_train,
        flat(X_test).astype(np.float32),
        y_test,
        tuple(int(s) for s in shape),
        descr,
    )


def load_comparison_data(
    name="digits", *, data_home=None, n_train=None, n_test=None, random_state=0
):
    """Load a comparison data set with its official (or a fixed) train/test split.

    Parameters
    ----------
    name : str, default="digits"
        A key of :data:`DATASETS` or ``"ucr:<Name>"`` for another UCR/UEA
        set. ``digits`` ships with scikit-learn (works offline; 8x8 pixels /
        16, split 75/25 stratified); MNIST and Fashion-MNIST keep their
        official 60,000/10,000 split; Olivetti is split 75/25 stratified by
        person; UCR sets keep their official split (ECG5000, staged with its
        training file only, is split 75/25) and are standardised per channel.
    data_home : str or path-like, default=None
        Where the fetched data sets are looked for (and downloaded to).
    n_train, n_test : int, default=None
        Random subsets of that many rows (None keeps the whole split).
    random_state : int, default=0
        Seed of the splits and of the subsets.

    Returns
    -------
    data : ComparisonData
    """
    ucr = name.startswith("ucr:")
    if not ucr and name not in DATASETS:
        raise ValueError(
            f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)} or ucr:<Name> "
            "for another UCR/UEA set."
        )
    rng = check_random_state(random_state)
    kind = "image"
    if name == "digits":
        digits = load_digits()
        X = (digits.data / 16.0).astype(np.float32)
        X_train, X_test, y_train, y_test = _split(X, digits.target, random_state)
        shape, names = (8, 8), [str(t) for t in digits.target_names]
        descr = "scikit-learn digits: 1,797 8x8 images / 16, split 75/25 stratified"
    elif name in ("mnist", "fashion-mnist"):
        from .. import datasets

        fetch = datasets.fetch_mnist if name == "mnist" else datasets.fetch_fashion_mnist
        train = fetch(data_home=data_home, subset="train")
        test = fetch(data_home=data_home, subset="test")
        X_train, y_train, X_test, y_test = train.data, train.target, test.data, test.target
        shape, names = (28, 28), [str(t) for t in train.target_names]
        descr = f"{name}: 28x28 images / 255, official 60,000/10,000 split"
    elif name == "olivetti":
        from .. import datasets

        faces = datasets.fetch_olivetti(data_home=data_home)
        X_train, X_test, y_train, y_test = _split(faces.data, faces.target, random_state)
        shape, names = (64, 64), _names(faces.target)
        descr = "Olivetti faces: 400 64x64 images in [0, 1], split 75/25 stratified by person"
    else:
        ucr_name = name[4:] if ucr else UCR_SETS[name]
        X_train, y_train, X_test, y_test, shape, descr = _load_ucr(
            ucr_name, data_home, random_state
        )
        names, kind = _names(y_train), "series"
    X_train, y_train = _subsample(X_train, y_train, n_train, rng)
    X_test, y_test = _subsample(X_test, y_test, n_test, rng)
    return ComparisonData(name, X_train, y_train, X_test, y_test, shape, names, descr, kind)
