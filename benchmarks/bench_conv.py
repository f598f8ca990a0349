"""ConvAE on MNIST: wrapper overhead, architecture cost per epoch, and the default fit.

1. ``ConvAE`` against a hand-written torch loop training the same module
   (same class and initialisation, Adam, batches of 200, shuffled each epoch),
   alternating runs: seconds per epoch and their ratio.
2. Seconds per epoch of the module alone for pooling + upsampling (the old
   default) and strided + transposed convolutions, with contiguous and
   channels-last kernels, and with 1 and all threads, alternating.
3. The default fit ``ConvAE(n_components=16, image_shape=(28, 28))`` on the
   first ``--rows`` training images: wall time, epochs, and test MSE per pixel
   on the first ``--test-rows`` test images next to PCA(16).

Every figure is measured within one run, so ratios hold on a busy machine;
the load average is printed at the start and the end.

Run: ``python benchmarks/bench_conv.py --data-home ../shared/data``
(``--skip-default-fit`` for sections 1 and 2 only).
"""

import argparse
import contextlib
import io
import os
import re
import time
import warnings

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning

from sklearn_ae import ConvAE
from sklearn_ae.datasets import fetch_mnist
from sklearn_ae.modules import ConvAutoencoder

K = 16


def _load():
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def hand_loop_epoch(module, optimizer, X, batch_size=200):
    """One epoch of the textbook loop: shuffle, forward, MSE, backward, step."""
    order = torch.randperm(len(X))
    for start in range(0, len(X), batch_size):
        x = X[order[start : start + batch_size]]
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(module(x)["recon"], x)
        loss.backward()
        optimizer.step()


def time_hand_loop(X, epochs, seed, channels_last=True, **module_kwargs):
    torch.manual_seed(seed)
    module = ConvAutoencoder((1, 28, 28), K, **module_kwargs)
    if not channels_last:
        module.to(memory_format=torch.contiguous_format)
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    start = time.perf_counter()
    for _ in range(epochs):
        hand_loop_epoch(module, optimizer, X)
    return (time.perf_counter() - start) / epochs


def time_estimator(X_np, epochs, seed):
    """Seconds per epoch of the training loop (from the verbose log) and of the whole fit.

    The whole fit adds fixed costs per call: validation, building the net,
    and the engine's checks of the result (a few forward passes over a
    sample of at most 2048 rows).
    """
    ae = ConvAE(K, image_shape=(28, 28), max_iter=epochs, tol=0, device="cpu", random_state=seed)
    ae.set_params(verbose=True)
    log = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(log):
        ae.fit(X_np)
    whole = (time.perf_counter() - start) / epochs
    epoch_times = [float(t) for t in re.findall(r"([0-9.]+)s$", log.getvalue(), re.M)]
    return sum(epoch_times) / len(epoch_times), whole


def wrapper_overhead(X_np, epochs, repeats):
    X = torch.as_tensor(X_np)
    loop, whole, hand = [], [], []
    for r in range(repeats):
        per_epoch, per_fit = time_estimator(X_np, epochs, r)
        loop.append(per_epoch)
        whole.append(per_fit)
        hand.append(time_hand_loop(X, epochs, r, sampling="stride"))
    h = np.median(hand)
    print(f"\n## 1. ConvAE vs hand-written loop ({len(X)} rows, {epochs} epochs x {repeats})")
    print("| | s/epoch (median) | runs | ratio to hand-written |\n|---|---:|---|---:|")
    for name, times in (
        ("ConvAE (defaults), training loop", loop),
        ("ConvAE (defaults), whole fit / epochs", whole),
        ("hand-written loop", hand),
    ):
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"| {name} | {np.median(times):.2f} | {runs} | {np.median(times) / h:.2f} |")


def architectures(X_np, repeats, threads):
    X = torch.as_tensor(X_np)
    variants = [
        ("pool, contiguous (old default)", dict(sampling="pool", channels_last=False), 1),
        ("pool, channels-last", dict(sampling="pool"), 1),
        ("stride, contiguous", dict(sampling="stride", channels_last=False), 1),
        ("stride, channels-last (new default)", dict(sampling="stride"), 1),
        (f"stride, channels-last, {threads} threads", dict(sampling="stride"), threads),
        ("stride, channels-last, channels=(16, 32)", dict(channels=(16, 32)), 1),
    ]
    times = {name: [] for name, _, _ in variants}
    before = torch.get_num_threads()
    for r in range(repeats):
        for name, kwargs, n_threads in variants:
            torch.set_num_threads(n_threads)
            times[name].append(time_hand_loop(X, 1, r, **kwargs) * 10_000 / len(X))
    torch.set_num_threads(before)
    base = np.median(times[variants[0][0]])
    print(f"\n## 2. Module cost per epoch ({len(X)} rows, scaled to 10k, {repeats} runs each)")
    print("| architecture (channels (32, 64) unless said) | s / epoch / 10k rows | speed-up |")
    print("|---|---:|---:|")
    for name, _, _ in variants:
        t = np.median(times[name])
        print(f"| {name} | {t:.1f} | {base / t:.1f}x |")


def default_fit(X, X_test):
    pca = PCA(K, random_state=0).fit(X)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    ae = ConvAE(K, image_shape=(28, 28), device="cpu", random_state=0)
    start = time.perf_counter()
    ae.fit(X)
    wall = time.perf_counter() - start
    mse = np.mean((ae.reconstruct(X_test) - X_test) ** 2)
    print(f"\n## 3. Default fit on {len(X)} rows, test on {len(X_test)}")
    print("| model | test MSE / pixel | fit wall time | epochs |\n|---|---:|---:|---:|")
    print(f"| PCA({K}) | {pca_mse:.4f} | | |")
    print(f"| ConvAE({K}, image_shape=(28, 28)) | {mse:.4f} | {wall:.0f} s | {ae.n_iter_} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default="../shared/data")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--test-rows", type=int, default=2_000)
    parser.add_argument("--timing-rows", type=int, default=2_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--skip-default-fit", action="store_true")
    parser.add_argument("--skip-architectures", action="store_true")
    args = parser.parse_args()

    X = fetch_mnist(data_home=args.data_home).data[: args.rows].astype(np.float32)
    X_test = fetch_mnist(data_home=args.data_home, subset="test").data[: args.test_rows]
    print(f"torch {torch.__version__}, {os.cpu_count()} CPUs, {_load()}")
    torch.set_num_threads(1)  # the estimator too: it caps, never raises, the count
    torch.set_flush_denormal(True)  # as the estimator does during fit
    warnings.simplefilter("ignore", ConvergenceWarning)  # short timing fits, by design
    timing = X[: args.timing_rows]
    time_estimator(timing[:400], 1, 0)  # warm-up: oneDNN's first convolutions are slow
    time_hand_loop(torch.as_tensor(timing[:400]), 1, 0, sampling="pool")
    wrapper_overhead(timing, args.epochs, args.repeats)
    if not args.skip_architectures:
        architectures(timing, args.repeats, args.threads)
    if not args.skip_default_fit:
        default_fit(X, X_test.astype(np.float32))
    print(f"\n{_load()}")


if __name__ == "__main__":
    main()
