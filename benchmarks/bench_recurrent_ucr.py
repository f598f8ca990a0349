"""RecurrentAE vs PCA vs the mean sequence on UCR/UEA sets (test reconstruction MSE).

RecurrentAE runs at its defaults (only ``n_components``, the seed and the
device are set). ECG5000 has only its training split here: it is split 70/30.
BasicMotions is standardised per channel with training statistics. Run:
``nice -n 10 python benchmarks/bench_recurrent_ucr.py`` (CPU, one thread).
"""

import time
import warnings

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_ae import RecurrentAE
from sklearn_ae.datasets import fetch_ucr

DATA = "/work/shared/data"
K = 4


def load(name):
    if name == "ECG5000":
        X = fetch_ucr(name, data_home=DATA).data
        return train_test_split(X, test_size=0.3, random_state=0)
    X_train = fetch_ucr(name, data_home=DATA).data
    X_test = fetch_ucr(name, data_home=DATA, subset="test").data
    if X_train.ndim == 3:
        mean, std = X_train.mean(axis=(0, 1)), X_train.std(axis=(0, 1))
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return X_train, X_test


def mse(a, b):
    return float(np.mean((a - b) ** 2))


def main():
    torch.set_num_threads(1)
    print(
        f"| dataset | shape (train) | mean sequence | PCA({K}) | RecurrentAE({K}) "
        "| / mean | epochs | fit s | warnings |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for name in ["ItalyPowerDemand", "GunPoint", "ECG5000", "BasicMotions"]:
        X_train, X_test = load(name)
        flat = lambda A: A.reshape(len(A), -1)  # noqa: E731
        pca = PCA(K).fit(flat(X_train))
        pca_mse = mse(pca.inverse_transform(pca.transform(flat(X_test))), flat(X_test))
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            ae = RecurrentAE(K, device="cpu", random_state=0).fit(X_train)
        seconds = time.perf_counter() - start
        mean_mse = mse(X_train.mean(axis=0), X_test)
        ae_mse = mse(ae.reconstruct(X_test), X_test)
        row = [
            name,
            str(X_train.shape),
            f"{mean_mse:.4f}",
            f"{pca_mse:.4f}",
            f"{ae_mse:.4f}",
            f"{ae_mse / mean_mse:.2f}",
            str(ae.n_iter_),
            f"{seconds:.0f}",
            "; ".join(str(w.message)[:60] for w in caught) or "none",
        ]
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
