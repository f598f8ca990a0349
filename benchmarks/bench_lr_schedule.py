"""Cosine learning-rate decay vs a constant rate, at the same number of epochs.

A deep ReLU stack 784-1000-500-250-30 (the architecture of Hinton and
Salakhutdinov, 2006) on an MNIST subset, trained with Adam for ``--epochs``
epochs with ``learning_rate="constant"`` and with ``learning_rate="cosine"``
(same initial rate, seed, batches and epochs; ``tol=0`` so that both run the
whole budget). The score is the test reconstruction MSE per pixel of the
30-d code.

Run from the repository root (``nice``: the machine is shared)::

    PYTHONPATH=. nice -n 5 python benchmarks/bench_lr_schedule.py --data-home ../shared/data
"""

import argparse

import numpy as np
import torch
from _fitting import fit_and_score

from sklearn_ae import StackedAE
from sklearn_ae.datasets import fetch_mnist


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default="../shared/data")
    parser.add_argument("--n-train", type=int, default=10_000)
    parser.add_argument("--n-test", type=int, default=2_000)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--schedules", default="constant,cosine")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--verbose", action="store_true", help="print every epoch")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    X_train = fetch_mnist(data_home=args.data_home, subset="train").data[: args.n_train]
    X_test = fetch_mnist(data_home=args.data_home, subset="test").data[: args.n_test]
    print(
        f"MNIST {len(X_train)} train / {len(X_test)} test (pixels in [0, 1]), "
        f"784-1000-500-250-30 ReLU, Adam lr={args.learning_rate}, batch {args.batch_size}, "
        f"{args.epochs} epochs, {args.threads} torch thread(s)"
    )
    print("| schedule | seed | test MSE/pixel | train MSE/pixel | last-epoch loss | time (s) |")
    print("|---|---|---|---|---|---|")
    for seed in (int(s) for s in args.seeds.split(",")):
        for schedule in args.schedules.split(","):
            model = StackedAE(
                n_components=30,
                hidden_layer_sizes=(1000, 500, 250),
                init="random",  # the schedules from the same random start, as measured
                learning_rate=schedule,
                learning_rate_init=args.learning_rate,
                batch_size=args.batch_size,
                max_iter=args.epochs,
                tol=0.0,  # run the whole budget
                random_state=seed,
                verbose=args.verbose,
            )
            test_mse, train_mse, seconds = fit_and_score(model, X_train, X_test)
            print(
                f"| {schedule} | {seed} | {test_mse:.5f} | {train_mse:.5f} "
                f"| {model.loss_curve_[-1]:.5f} | {seconds:.0f} |",
                flush=True,
            )
    mean_mse = np.mean((X_test - X_train.mean(axis=0)) ** 2)
    print(f"| mean image (baseline) | - | {mean_mse:.5f} | | | |")


if __name__ == "__main__":
    main()
