"""Data-parallel training on 2 CPU processes (DDP, gloo) against one process.

Both fit the same ``StackedAE`` on the same MNIST rows with the same global
minibatch (``--batch-size``), one torch thread per process, in the same run;
the processes are started by ``torch.multiprocessing.spawn`` and timed from
after the process group is up. Reported: seconds per fit, the speed-up
(single / data-parallel) and the largest weight difference between the two.

Usage (from the repository root)::

    python benchmarks/bench_data_parallel.py --data-home ../shared/data
"""

import argparse
import socket
import tempfile
import time
import warnings
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from sklearn_ae import StackedAE, data_parallel
from sklearn_ae.datasets import fetch_mnist


def model(args):
    return StackedAE(
        n_components=32,
        hidden_layer_sizes=(256, 128),
        max_iter=args.epochs,
        batch_size=args.batch_size,
        tol=0.0,
        n_iter_no_change=args.epochs + 1,
        random_state=0,
    )


def load(args):
    X, _ = fetch_mnist(data_home=args.data_home, return_X_y=True)
    return X[: args.rows]


def worker(rank, world_size, port, args, out):
    warnings.filterwarnings("ignore", message=".*max_iter")
    torch.set_num_threads(1)
    X = load(args)
    dist.init_process_group(
        "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world_size
    )
    try:
        with data_parallel():
            model(args).set_params(max_iter=1).fit(X[:512])  # warm-up
            dist.barrier()
            start = time.perf_counter()
            ae = model(args).fit(X)
            seconds = time.perf_counter() - start
        if rank == 0:
            torch.save({"seconds": seconds, "state": ae.module_.state_dict()}, out)
    finally:
        dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default="../shared/data")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*max_iter")
    torch.set_num_threads(1)
    X = load(args)
    model(args).set_params(max_iter=1).fit(X[:512])  # warm-up
    start = time.perf_counter()
    single = model(args).fit(X)
    single_s = time.perf_counter() - start
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rank0.pt"
        mp.spawn(worker, args=(args.processes, port, args, out), nprocs=args.processes)
        result = torch.load(out)
    diff = max(
        (result["state"][k] - v).abs().max().item() for k, v in single.module_.state_dict().items()
    )
    print(f"{args.rows} x 784, batch {args.batch_size}, {args.epochs} epochs, 1 thread each")
    print(f"1 process: {single_s:.1f} s; {args.processes} processes: {result['seconds']:.1f} s")
    print(f"speed-up {single_s / result['seconds']:.2f}x; max weight difference {diff:.2e}")


if __name__ == "__main__":
    main()
