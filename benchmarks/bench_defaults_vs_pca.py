"""StackedAE at its defaults against PCA of the same size, on data nobody tuned on.

For each data set and code size k, PCA(k) and ``StackedAE(n_components=k,
random_state=0)`` (nothing else set) are fit on the training rows and scored
by the per-feature squared reconstruction error on held-out rows; ``ratio``
is the autoencoder's error over PCA's (below 1: the autoencoder wins).
``--random`` adds ``init="random"`` (the earlier default) for comparison.

Data (pixels in [0, 1]): digits (load_digits / 16, 80/20 split), MNIST and
Fashion-MNIST (first 10,000 training and 2,000 test images), Olivetti faces
(4096 pixels; 300/100 split, stratified by person).

Usage::

    PYTHONPATH=. nice -n 10 python benchmarks/bench_defaults_vs_pca.py \\
        --data-home ../shared/data --datasets digits olivetti --random
"""

import argparse

import numpy as np
import torch
from _fitting import fit_recording_warnings
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from sklearn_ae import StackedAE
from sklearn_ae.datasets import fetch_fashion_mnist, fetch_mnist, fetch_olivetti


def load(name, data_home):
    if name == "digits":
        X = load_digits().data / 16.0
        X_train, X_test = train_test_split(X, test_size=0.2, random_state=0)
    elif name == "olivetti":
        X, y = fetch_olivetti(data_home=data_home, return_X_y=True, download_if_missing=False)
        X = X.reshape(len(X), -1)
        X_train, X_test = train_test_split(X, test_size=100, stratify=y, random_state=0)
    else:
        fetch = fetch_mnist if name == "mnist" else fetch_fashion_mnist
        X_train, _ = fetch(data_home=data_home, return_X_y=True, download_if_missing=False)
        X_test, _ = fetch(
            subset="test", data_home=data_home, return_X_y=True, download_if_missing=False
        )
        X_train = X_train[:10_000].reshape(10_000, -1)
        X_test = X_test[:2_000].reshape(2_000, -1)
    return np.asarray(X_train, np.float32), np.asarray(X_test, np.float32)


def mse(reconstruction, X):
    return float(np.mean((reconstruction - X) ** 2, dtype=np.float64))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument(
        "--datasets", nargs="+", default=["digits", "mnist", "fashion-mnist", "olivetti"]
    )
    parser.add_argument("--ks", type=int, nargs="+", default=[2, 8, 16, 32, 64])
    parser.add_argument("--random", action="store_true", help="also fit init='random'")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    print("| data | k | PCA MSE | StackedAE MSE | ratio | epochs | warnings | fit (s) |")
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    for name in args.datasets:
        X_train, X_test = load(name, args.data_home)
        for k in args.ks:
            pca = PCA(k).fit(X_train)
            pca_mse = mse(pca.inverse_transform(pca.transform(X_test)), X_test)
            for init in ("pca", "random") if args.random else ("pca",):
                ae = StackedAE(k, init=init, random_state=0)
                seconds, flags = fit_recording_warnings(ae, X_train)
                ae_mse = mse(ae.reconstruct(X_test), X_test)
                label = name if init == "pca" else f"{name}, init='random'"
                print(
                    f"| {label} | {k} | {pca_mse:.3g} | {ae_mse:.3g} | "
                    f"{ae_mse / max(pca_mse, 1e-30):.3g} | {ae.n_iter_} | "
                    f"{', '.join(flags) or '-'} | {seconds:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
