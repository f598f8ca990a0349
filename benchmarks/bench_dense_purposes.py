"""Do the dense variants do their job at their defaults? Contraction and denoising ratios.

For each data set, fits ``StackedAE``, ``ContractiveAE``, ``DenoisingAE()`` (masking
0.25) and ``DenoisingAE(noise="gaussian", noise_level=0.3)`` with
``n_components=16, random_state=0`` and nothing else set (``--random`` adds the same
four with ``init="random"``), and reports against the plain ``StackedAE`` of the same
start:

* contraction: the mean Frobenius norm of the encoder's Jacobian on the test rows,
  over the code's spread there (root of the summed code variances); the
  ContractiveAE's figure over the StackedAE's (below 1: it contracts);
* denoising: the squared error to the clean test rows of the reconstruction of
  corrupted ones (the noise the model trained with), the DenoisingAE's over the
  StackedAE's (below 1: it denoises);
* the test reconstruction error of each model, and PCA's, on clean rows.

Data: digits (``load_digits / 16``, 80/20 split), MNIST and Fashion-MNIST (the first
4,000 training and 1,000 test images, pixels in [0, 1]).

Usage::

    PYTHONPATH=. nice -n 10 python benchmarks/bench_dense_purposes.py \\
        --data-home ../shared/data --datasets digits fashion-mnist --random
"""

import argparse
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from sklearn_ae import ContractiveAE, DenoisingAE, StackedAE
from sklearn_ae._corruption import make_corruption
from sklearn_ae._penalties import encoder_jacobian_sq_norm
from sklearn_ae.datasets import fetch_fashion_mnist, fetch_mnist


def load(name, data_home, n_train=4000, n_test=1000):
    if name == "digits":
        X = load_digits().data / 16.0
        X_train, X_test = train_test_split(X, test_size=0.2, random_state=0)
    else:
        fetch = fetch_mnist if name == "mnist" else fetch_fashion_mnist
        kw = dict(data_home=data_home, return_X_y=True, download_if_missing=False)
        X_train = fetch(**kw)[0][:n_train].reshape(n_train, -1)
        X_test = fetch(subset="test", **kw)[0][:n_test].reshape(n_test, -1)
    return np.asarray(X_train, np.float32), np.asarray(X_test, np.float32)


def contraction(model, X):
    """Mean ||d code / d x||_F over the rows, relative to the code's spread."""
    x = torch.as_tensor(X, dtype=torch.float32)
    with torch.no_grad():
        jac = encoder_jacobian_sq_norm(model.module_, x).sqrt().mean().item()
    spread = float(np.sqrt(model.transform(X).var(axis=0).sum()))
    return jac / spread


def corrupted(X, noise, level, seed=0):
    corruption = make_corruption(noise, level, clean_share=0.0)
    gen = torch.Generator().manual_seed(seed)
    return corruption(torch.as_tensor(X), generator=gen).numpy()


def mse(a, b):
    return float(np.mean((a - b) ** 2, dtype=np.float64))


def run(name, X_train, X_test, init, k):
    common = dict(n_components=k, random_state=0)
    if init == "random":
        common["init"] = "random"
    models = {
        "stacked": StackedAE(**common),
        "contractive": ContractiveAE(**common),
        "masking": DenoisingAE(**common),
        "gaussian": DenoisingAE(noise="gaussian", noise_level=0.3, **common),
    }
    seconds = {}
    for key, model in models.items():
        start = time.perf_counter()
        model.fit(X_train)
        seconds[key] = time.perf_counter() - start
    plain = models["stacked"]
    row = {"contraction": contraction(models["contractive"], X_test) / contraction(plain, X_test)}
    for noise, level in (("masking", 0.25), ("gaussian", 0.3)):
        noisy = corrupted(X_test, noise, level)
        row[noise] = mse(models[noise].reconstruct(noisy), X_test) / mse(
            plain.reconstruct(noisy), X_test
        )
    pca = PCA(k).fit(X_train)
    pca_mse = mse(pca.inverse_transform(pca.transform(X_test)), X_test)
    recon = " / ".join(
        f"{mse(m.reconstruct(X_test), X_test) / pca_mse:.2f}" for m in models.values()
    )
    epochs = "/".join(str(m.n_iter_) for m in models.values())
    fit = sum(seconds.values())
    print(
        f"| {name} | {init} | {row['contraction']:.2f} | {row['gaussian']:.2f} | "
        f"{row['masking']:.2f} | {recon} | {epochs} | {fit:.0f} |",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", nargs="+", default=["digits", "fashion-mnist"])
    parser.add_argument("--k", type=int, default=16)
    parser.add_argument("--random", action="store_true", help="also fit init='random'")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(
        "| data | init | contraction | gaussian 0.3 | masking 0.25 | "
        "test MSE / PCA's (stacked / CAE / DAE masking / DAE gaussian) | epochs | fit (s) |"
    )
    print("|---|---|---:|---:|---:|---|---|---:|")
    for name in args.datasets:
        X_train, X_test = load(name, args.data_home)
        for init in ("pca", "random") if args.random else ("pca",):
            run(name, X_train, X_test, init, args.k)


if __name__ == "__main__":
    main()
