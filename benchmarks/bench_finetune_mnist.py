"""Unsupervised pretraining + fine-tuning on MNIST with 500 labels.

A StackedAE is fitted on ``--n-unlabelled`` training images without labels;
then, for each seed, 500 labelled images (50 per class, drawn from the rest
of the training set) train three classifiers, scored on the 10,000 test
images:

* frozen codes + LogisticRegression (the autoencoder as a transformer);
* FineTunedClassifier: the pretrained encoder plus a softmax head, trained
  end to end;
* the same network from scratch (``encoder_init="random"``).

Run: ``python benchmarks/bench_finetune_mnist.py --data-home ../shared/data``
(CPU; add ``--threads N``). Prints a markdown table.
"""

import argparse
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_ae import FineTunedClassifier, StackedAE
from sklearn_ae.datasets import fetch_mnist


def _labelled_rows(y, per_class, exclude, seed):
    rng = np.random.default_rng(seed)
    pool = np.setdiff1d(np.arange(len(y)), exclude)
    return np.concatenate(
        [rng.choice(pool[y[pool] == c], per_class, replace=False) for c in range(10)]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--n-unlabelled", type=int, default=20_000)
    parser.add_argument("--per-class", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--pretrain-epochs", type=int, default=30)
    parser.add_argument("--noise", choices=["masking", "gaussian"], default=None)
    parser.add_argument("--noise-level", type=float, default=0.3)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    X, y = fetch_mnist(data_home=args.data_home, return_X_y=True)
    X_test, y_test = fetch_mnist(data_home=args.data_home, subset="test", return_X_y=True)
    unlabelled = np.arange(args.n_unlabelled)

    start = time.perf_counter()
    ae = StackedAE(
        n_components=32,
        hidden_layer_sizes=(256, 128),
        max_iter=args.pretrain_epochs,
        batch_size=128,
        noise=args.noise,
        noise_level=args.noise_level,
        random_state=0,
    ).fit(X[unlabelled])
    print(f"pretraining: {ae.n_iter_} epochs, {time.perf_counter() - start:.0f} s", flush=True)
    frozen = FrozenEstimator(ae)

    rows = []
    for seed in range(args.seeds):
        idx = _labelled_rows(y, args.per_class, unlabelled, seed)
        X_l, y_l = X[idx], y[idx]
        codes_lr = make_pipeline(frozen, LogisticRegression(max_iter=5000)).fit(X_l, y_l)
        scores = {"frozen codes + LR": codes_lr.score(X_test, y_test)}
        for name, init in (("fine-tuned", "pretrained"), ("from scratch", "random")):
            clf = FineTunedClassifier(
                frozen, encoder_init=init, max_iter=200, random_state=seed
            ).fit(X_l, y_l)
            scores[name] = clf.score(X_test, y_test)
        rows.append(scores)
        print(f"seed {seed}: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()), flush=True)

    names = list(rows[0])
    print(f"\n| seed | {' | '.join(names)} |\n|---|" + "---:|" * len(names))
    for seed, scores in enumerate(rows):
        print(f"| {seed} | " + " | ".join(f"{scores[n]:.4f}" for n in names) + " |")
    means = {n: np.mean([r[n] for r in rows]) for n in names}
    print("| mean | " + " | ".join(f"**{means[n]:.4f}**" for n in names) + " |")


if __name__ == "__main__":
    main()
