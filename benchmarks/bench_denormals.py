"""Epoch time of a linear autoencoder on MNIST with and without flushing subnormals.

MNIST's always-zero border pixels drive the decoder weights (and Adam's
moment estimates) that feed them towards zero, through the subnormal range
where every CPU operation on them is many times slower. ``fit`` flushes
subnormals to zero while it trains; this script shows the effect by training
the same model with the flush disabled.

Usage (from the repository root)::

    python benchmarks/bench_denormals.py --data-home ../shared/data --epochs 20
"""

import argparse
import contextlib
import time
import warnings

import numpy as np
import torch

import sklearn_ae._runtime as runtime
from sklearn_ae import LinearAE
from sklearn_ae._net import AutoencoderNet
from sklearn_ae.datasets import fetch_mnist


def epoch_times(X, epochs, flush):
    times, original = [], AutoencoderNet.run_single_epoch

    def timed(self, *args, **kwargs):
        start = time.perf_counter()
        original(self, *args, **kwargs)
        if kwargs.get("training", args[1] if len(args) > 1 else False):
            times.append(time.perf_counter() - start)

    saved = runtime._flushed_denormals
    AutoencoderNet.run_single_epoch = timed
    runtime._flushed_denormals = saved if flush else contextlib.nullcontext
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ae = LinearAE(
                32,
                solver="adam",
                learning_rate_init=1e-3,
                batch_size=200,
                max_iter=epochs,
                tol=0,
                n_iter_no_change=epochs + 1,
                device="cpu",
                random_state=0,
            ).fit(X)
    finally:
        AutoencoderNet.run_single_epoch = original
        runtime._flushed_denormals = saved
    tiny = torch.finfo(torch.float32).tiny
    subnormal = sum(int(((p.abs() > 0) & (p.abs() < tiny)).sum()) for p in ae.module_.parameters())
    return times, ae.loss_curve_[-1], subnormal


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default="../shared/data")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    X = np.ascontiguousarray(fetch_mnist(data_home=args.data_home).data)
    print("| flush subnormals | first epoch s | last epoch s | final loss | subnormal weights |")
    print("|---|---:|---:|---:|---:|")
    for flush in (True, False):
        times, loss, subnormal = epoch_times(X, args.epochs, flush)
        print(f"| {flush} | {times[0]:.2f} | {times[-1]:.2f} | {loss:.6f} | {subnormal} |")


if __name__ == "__main__":
    main()
