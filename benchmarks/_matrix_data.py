"""The data sets of ``bench_defaults_matrix.py``: loaded, split and capped to a row budget."""

import numpy as np
from sklearn import datasets as skdata
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_ae.datasets import (
    fetch_20newsgroups_local,
    fetch_fashion_mnist,
    fetch_mnist,
    fetch_olivetti,
    fetch_ucr,
)

UCR = {"gunpoint": "GunPoint", "ecg5000": "ECG5000", "italypowerdemand": "ItalyPowerDemand"}
UCR["basicmotions"] = "BasicMotions"
TABULAR = ("iris", "wine", "breast_cancer", "diabetes", "pendigits")
IMAGES = ("digits", "mnist", "fashion-mnist", "olivetti", "patches")
DATASETS = (*IMAGES, "newsgroups", *TABULAR, *UCR)


def _cap(X_train, X_test, rows):
    if rows:
        X_train, X_test = X_train[:rows], X_test[: max(100, rows // 4)]
    return X_train, X_test


def load(name, data_home, rows):
    """``(X_train, X_test, kind, image_shape)``; kind: tabular, image, text or sequence."""
    shape = None
    if name == "digits":
        X = skdata.load_digits().data / 16.0
        X_train, X_test = train_test_split(X, test_size=0.2, random_state=0)
        kind, shape = "image", (8, 8)
    elif name in ("mnist", "fashion-mnist"):
        fetch = fetch_mnist if name == "mnist" else fetch_fashion_mnist
        kw = dict(data_home=data_home, return_X_y=True, download_if_missing=False)
        X_train, X_test = fetch(**kw)[0], fetch(subset="test", **kw)[0]
        X_train, X_test = (A.reshape(len(A), -1) for A in (X_train, X_test))
        kind, shape = "image", (28, 28)
    elif name == "olivetti":
        X, y = fetch_olivetti(data_home=data_home, return_X_y=True, download_if_missing=False)
        X_train, X_test = train_test_split(
            X.reshape(len(X), -1), test_size=100, stratify=y, random_state=0
        )
        kind, shape = "image", (64, 64)
    elif name == "patches":
        X_train, X_test = _patches()
        kind, shape = "image", (3, 16, 16)
    elif name == "newsgroups":
        from sklearn.feature_extraction.text import TfidfVectorizer

        kw = dict(data_home=data_home, remove=("headers", "footers", "quotes"))
        train = fetch_20newsgroups_local(subset="train", download_if_missing=False, **kw).data
        test = fetch_20newsgroups_local(subset="test", download_if_missing=False, **kw).data
        train, test = _cap(train, test, rows)
        vec = TfidfVectorizer(max_features=2000, stop_words="english", sublinear_tf=True)
        X_train = vec.fit_transform(train).astype(np.float32)
        X_test = vec.transform(test).astype(np.float32)
        kind = "text"
    elif name == "pendigits":
        import gzip

        def read(part):
            with gzip.open(f"{data_home}/pendigits/pendigits.{part}.gz", "rt") as f:
                return np.loadtxt(f, delimiter=",")[:, :16] / 100.0

        X_train, X_test, kind = read("tra"), read("tes"), "tabular"
    elif name in TABULAR:
        X = getattr(skdata, f"load_{name}")().data
        X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test, kind = scaler.transform(X_train), scaler.transform(X_test), "tabular"
    elif name in UCR:
        ucr = UCR[name]
        X_train = fetch_ucr(ucr, data_home=data_home).data
        if name == "ecg5000":  # only its training split is staged
            X_train, X_test = train_test_split(X_train, test_size=0.3, random_state=0)
        else:
            X_test = fetch_ucr(ucr, data_home=data_home, subset="test").data
        if X_train.ndim == 3:  # multichannel: standardise per channel
            mean, std = X_train.mean(axis=(0, 1)), X_train.std(axis=(0, 1))
            X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
        kind = "sequence"
    else:
        raise ValueError(f"unknown data set {name!r}")
    if kind != "text":
        X_train, X_test = _cap(X_train, X_test, rows)
        X_train, X_test = (np.asarray(A, np.float32) for A in (X_train, X_test))
    return X_train, X_test, kind, shape


def _patches(size=16, n=3000):
    """Colour patches (3 x size x size, in [0, 1]) cut at random from the two sample images."""
    rng = np.random.default_rng(0)
    parts = []
    for image in skdata.load_sample_images().images:
        h, w, _ = image.shape
        ys, xs = rng.integers(0, h - size, n // 2), rng.integers(0, w - size, n // 2)
        cut = np.stack([image[y : y + size, x : x + size] for y, x in zip(ys, xs, strict=True)])
        parts.append(cut.transpose(0, 3, 1, 2).reshape(len(cut), -1) / 255.0)
    X = np.concatenate(parts)
    return train_test_split(X, test_size=0.2, random_state=0)
