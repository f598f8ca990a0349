"""Training throughput of StackedAE against a hand-written PyTorch loop.

Both train the same module (``sklearn_ae.modules.DenseAutoencoder``) with the
same optimizer, the same batches (one permutation per epoch from the same
seed) on the same data, in one process, alternating runs so that drift of the
machine hits both alike. The ratio ``wrapper / hand-written`` is the cost of
the scikit-learn wrapper; the target is <= 1.10 (goal 1.05).

Usage (from the repository root)::

    python benchmarks/bench_throughput.py --data-home ../shared/data
    python benchmarks/bench_throughput.py --device cuda --threads 0   # on a GPU

``--threads 1`` (default) pins torch to one CPU thread, so the figure does not
depend on what else the machine is doing on its other cores.
"""

import argparse
import statistics
import time

import numpy as np
import torch

from sklearn_ae import StackedAE
from sklearn_ae.datasets import fetch_fashion_mnist
from sklearn_ae.modules import DenseAutoencoder


def hand_written_fit(X, hidden, n_components, epochs, batch_size, lr, seed, device):
    """The loop a PyTorch user would write: the reference for the ratio."""
    torch.manual_seed(seed)
    data = torch.as_tensor(X, dtype=torch.float32, device=device)
    module = DenseAutoencoder(X.shape[1], n_components, hidden_layer_sizes=hidden).to(device)
    optimizer = torch.optim.Adam(module.parameters(), lr=lr)
    for _ in range(epochs):
        order = torch.randperm(len(data)).to(device)
        for start in range(0, len(data), batch_size):
            batch = data[order[start : start + batch_size]]
            loss = ((module(batch)["recon"] - batch) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return module


def wrapper_fit(X, hidden, n_components, epochs, batch_size, lr, seed, device):
    ae = StackedAE(
        n_components,
        hidden_layer_sizes=hidden,
        max_iter=epochs,
        batch_size=batch_size,
        learning_rate_init=lr,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        device=str(device),
        random_state=seed,
    )
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return ae


def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default="../shared/data")
    parser.add_argument("--n-samples", type=int, default=60000)
    parser.add_argument("--hidden", default="256,128")
    parser.add_argument("--n-components", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2, help="epochs per timed run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (0: leave)")
    args = parser.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    X = fetch_fashion_mnist(data_home=args.data_home, subset="train").data[: args.n_samples]
    X = np.ascontiguousarray(X, dtype=np.float32)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    config = (hidden, args.n_components, args.epochs, args.batch_size, args.lr, 0, device)

    # One untimed round of each warms up allocators and kernels.
    hand_written_fit(X[:2000], *config)
    wrapper_fit(X[:2000], *config)
    hand, ours = [], []
    for _ in range(args.repeats):
        hand.append(timed(hand_written_fit, X, *config) / args.epochs)
        ours.append(timed(wrapper_fit, X, *config) / args.epochs)
    hand_epoch, ours_epoch = statistics.median(hand), statistics.median(ours)

    print(
        f"data: Fashion-MNIST {X.shape[0]} x {X.shape[1]} float32, device {device}, "
        f"torch threads {torch.get_num_threads()}, torch {torch.__version__}"
    )
    print(
        f"model: {X.shape[1]}-{'-'.join(map(str, hidden))}-{args.n_components} (mirrored), "
        f"Adam lr={args.lr}, batch {args.batch_size}, {args.epochs} epochs x {args.repeats} runs"
    )
    print("| loop | s/epoch (median) | all runs |")
    print("|---|---:|---|")
    print(f"| hand-written PyTorch | {hand_epoch:.3f} | {', '.join(f'{t:.3f}' for t in hand)} |")
    print(f"| StackedAE.fit | {ours_epoch:.3f} | {', '.join(f'{t:.3f}' for t in ours)} |")
    print(f"ratio StackedAE / hand-written: {ours_epoch / hand_epoch:.3f} (target <= 1.10)")


if __name__ == "__main__":
    main()
