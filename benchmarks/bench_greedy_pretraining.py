"""Greedy layer-wise pretraining vs random initialisation, at the same epoch budget.

A deep sigmoid stack 784-1000-500-250-30 (Hinton and Salakhutdinov, 2006) on
an MNIST subset. Both runs get ``--budget`` epochs in all: the greedy run
spends ``--pretrain-epochs`` on each of the four layer pairs and the rest on
fine-tuning the whole stack; the random run fine-tunes from its random
initialisation for the whole budget. A pretraining epoch counts as a full
epoch although it trains one layer pair only (cheaper), so wall time is
reported too.

Run from the repository root::

    python benchmarks/bench_greedy_pretraining.py --data-home ../shared/data
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
    parser.add_argument("--budget", type=int, default=20, help="total epochs per run")
    parser.add_argument("--pretrain-epochs", type=int, default=2, help="epochs per stage")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    X_train = fetch_mnist(data_home=args.data_home, subset="train").data[: args.n_train]
    X_test = fetch_mnist(data_home=args.data_home, subset="test").data[: args.n_test]
    hidden = (1000, 500, 250)
    n_stages = len(hidden) + 1
    fine_tune = args.budget - n_stages * args.pretrain_epochs
    if fine_tune < 1:
        parser.error("--budget must exceed 4 * --pretrain-epochs")
    common = dict(
        n_components=30,
        hidden_layer_sizes=hidden,
        activation="logistic",
        learning_rate_init=args.learning_rate,
        tol=0.0,  # run the whole budget
        random_state=args.seed,
    )
    runs = {
        "random init": StackedAE(max_iter=args.budget, **common),
        "greedy": StackedAE(
            pretrain="greedy",
            pretrain_max_iter=args.pretrain_epochs,
            max_iter=fine_tune,
            **common,
        ),
    }
    print(
        f"MNIST {len(X_train)} train / {len(X_test)} test, 784-1000-500-250-30 logistic, "
        f"Adam lr={args.learning_rate}, batch 200, budget {args.budget} epochs, "
        f"{args.threads} torch thread(s)"
    )
    print("| run | epochs (pretrain + fine-tune) | test MSE/pixel | train MSE/pixel | time (s) |")
    print("|---|---|---|---|---|")
    for name, model in runs.items():
        test_mse, train_mse, seconds = fit_and_score(model, X_train, X_test)
        pre = n_stages * args.pretrain_epochs if model.pretrain else 0
        print(
            f"| {name} | {pre} + {model.n_iter_} | {test_mse:.5f} | {train_mse:.5f} "
            f"| {seconds:.0f} |",
            flush=True,
        )
        if model.pretrain:
            stages = [f"{c[0]:.4f}->{c[-1]:.4f}" for c in model.pretrain_loss_curves_]
            print(f"|   stage losses (first->last epoch) | {', '.join(stages)} | | | |")
    mean_mse = np.mean((X_test - X_train.mean(axis=0)) ** 2)
    print(f"| mean image (baseline) | - | {mean_mse:.5f} | | |")


if __name__ == "__main__":
    main()
