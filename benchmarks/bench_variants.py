"""Seconds per epoch of the dense autoencoder variants, same architecture.

784-256-64 (ReLU) on the first ``--n-train`` MNIST training images, one torch
thread, Adam with batches of 200; the variants differ only in their loss
terms or input corruption. A second table times the contractive penalty
alone (forward and backward on one batch): the closed form used by
ContractiveAE against ``torch.func.vmap(jacrev)`` and a per-sample autograd
loop.

Run from the repository root::

    python benchmarks/bench_variants.py --data-home ../shared/data
"""

import argparse
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from sklearn_ae import ContractiveAE, DenoisingAE, SparseAE, StackedAE
from sklearn_ae._penalties import encoder_jacobian_sq_norm
from sklearn_ae.datasets import fetch_mnist
from sklearn_ae.modules import DenseAutoencoder


def _time_fit(model, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X)
        seconds = time.perf_counter() - start
    return seconds / model.n_iter_, np.mean((model.reconstruct(X) - X) ** 2)


def _time_penalty(fn, module, x, repeats):
    best = float("inf")
    for _ in range(repeats):
        module.zero_grad()
        start = time.perf_counter()
        fn(module, x).mean().backward()
        best = min(best, time.perf_counter() - start)
    return best


def _vmap_jacrev(module, x):
    return torch.func.vmap(torch.func.jacrev(module.encode))(x).flatten(1).pow(2).sum(1)


def _per_sample_loop(module, x):
    rows = [
        torch.autograd.functional.jacobian(module.encode, row, create_graph=True).pow(2).sum()
        for row in x
    ]
    return torch.stack(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default="../shared/data")
    parser.add_argument("--n-train", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)

    X = fetch_mnist(data_home=args.data_home, subset="train").data[: args.n_train]
    common = dict(
        n_components=64, hidden_layer_sizes=(256,), max_iter=args.epochs, tol=0.0, random_state=0
    )
    variants = {
        "StackedAE": StackedAE(**common),
        "DenoisingAE (masking 0.25)": DenoisingAE(**common),
        "SparseAE (kl)": SparseAE(sparsity="kl", **common),
        "SparseAE (l1)": SparseAE(sparsity="l1", **common),
        "ContractiveAE": ContractiveAE(**common),
    }
    print(f"MNIST {len(X)} x 784, 784-256-64 ReLU, batch 200, {args.epochs} epochs, 1 thread")
    print("| variant | s/epoch | vs StackedAE | train MSE/pixel |")
    print("|---|---|---|---|")
    _time_fit(StackedAE(**{**common, "max_iter": 1}), X[:1000])  # warm-up: torch's first calls
    base = None
    for name, model in variants.items():
        seconds, mse = _time_fit(model, X)
        base = base or seconds
        print(f"| {name} | {seconds:.2f} | {seconds / base:.2f}x | {mse:.4f} |", flush=True)

    torch.manual_seed(0)
    module = DenseAutoencoder(784, 64, (256,), "relu")
    x = torch.as_tensor(X[:200])
    print("\nContractive penalty alone, forward + backward, one batch of 200 (best of 3)")
    print("| method | seconds |")
    print("|---|---|")
    for name, fn in [
        ("closed form (ContractiveAE)", encoder_jacobian_sq_norm),
        ("torch.func.vmap(jacrev)", _vmap_jacrev),
        ("per-sample autograd loop", _per_sample_loop),
    ]:
        print(f"| {name} | {_time_penalty(fn, module, x, 3):.4f} |", flush=True)


if __name__ == "__main__":
    main()
