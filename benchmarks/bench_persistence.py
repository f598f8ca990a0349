"""Size of a saved autoencoder: pickle and skops file against the weights it holds.

Before sklearn-ae saved models as plain data (``sklearn_ae._persistence``), a
pickle held the whole skorch net, optimizer state included; ``pickle.dumps(
model.net_)`` still measures that, in the same run.

    python benchmarks/bench_persistence.py

Prints a markdown table (bytes).
"""

import pickle
import warnings

import numpy as np
import skops.io as sio

from sklearn_ae import LinearAE, StackedAE


def main():
    warnings.filterwarnings("ignore")
    X = np.random.default_rng(0).random((2000, 784), dtype=np.float32)
    models = [
        ("LinearAE(n_components=30), L-BFGS", LinearAE(n_components=30, max_iter=20)),
        ("StackedAE 784-128-64-30, Adam", StackedAE(n_components=30, max_iter=5)),
    ]
    print("| model | weights | pickle of the net (before) | pickle | skops file |")
    print("|---|---:|---:|---:|---:|")
    for name, model in models:
        model.set_params(random_state=0).fit(X)
        weights = sum(p.numel() * p.element_size() for p in model.module_.parameters())
        print(
            f"| {name} | {weights:,} | {len(pickle.dumps(model.net_)):,} "
            f"| {len(pickle.dumps(model)):,} | {len(sio.dumps(model)):,} |"
        )


if __name__ == "__main__":
    main()
