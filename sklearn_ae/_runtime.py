"""Process-level state a fit touches, and how it is put back.

A fit seeds torch, may flush subnormal floats and may cap the torch thread
count. Each of these is global state of the process, so each is changed only
inside :func:`training_context` and restored when it exits, whatever happens.
"""

import contextlib
import os
import sys

import numpy as np
import torch
from sklearn.utils import check_random_state

__all__ = ["resolve_device", "seed_from_random_state", "training_context"]


def resolve_device(device):
    """Map the ``device`` parameter to a :class:`torch.device`.

    ``"auto"`` picks CUDA when it is available; an explicit CUDA request on a
    machine without CUDA fails now rather than deep inside torch.
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'cpu', 'cuda', 'cuda:N' or 'auto'."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available here; "
            "use device='cpu' or device='auto'."
        )
    return resolved


def seed_from_random_state(random_state):
    """Draw a torch seed from ``random_state`` without touching numpy's global RNG.

    ``None`` means fresh OS entropy (``check_random_state(None)`` would draw
    from, and advance, numpy's global ``RandomState``).
    """
    if random_state is None:
        return int(np.random.default_rng().integers(2**31 - 1))
    return int(check_random_state(random_state).randint(2**31 - 1))


def _flush_denormal_active():
    # torch has a setter but no getter: with DAZ on, a subnormal input reads as 0.
    tiny = torch.tensor([1e-40], dtype=torch.float32)
    return bool((tiny * 1.0).item() == 0.0)


@contextlib.contextmanager
def _flushed_denormals():
    # Always-zero inputs (MNIST's border pixels) decay the weights that touch
    # them into subnormals, which make every CPU op on them ~10x slower.
    before = _flush_denormal_active()
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(before)


def _worker_thread_budget():
    """Threads this process was given, or None when nobody said.

    joblib's loky workers (``GridSearchCV(n_jobs=...)``) get ``OMP_NUM_THREADS``
    set to their share of the cores; honouring it avoids oversubscription,
    which on a busy 2-core machine made training 45x slower.
    """
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return _dask_task_budget()


def _dask_task_budget():
    """1 inside a Dask worker's task, else None.

    Dask counts one core per worker thread and runs one task per thread, so
    a task's share is one core. Its nannies usually set OMP_NUM_THREADS=1,
    but not every deployment does (``processes=False``, a custom
    ``distributed.nanny.pre-spawn-environ``), and torch would then start a
    thread per core in every worker.
    """
    distributed = sys.modules.get("distributed")  # no import where Dask is not in use
    if distributed is None:
        return None
    try:
        distributed.get_worker()
    except ValueError:  # not running a task
        return None
    return 1


@contextlib.contextmanager
def _thread_limit():
    budget = _worker_thread_budget()
    before = torch.get_num_threads()
    if budget is not None and budget < before:
        torch.set_num_threads(budget)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


@contextlib.contextmanager
def training_context(seed, device):
    """Seeded, denormal-free, thread-capped scope for one fit.

    The global torch RNG is forked, so every draw inside (weight init,
    shuffling, noise, dropout) is reproducible from ``seed`` and the caller's
    RNG state is the same afterwards.
    """
    devices = [device.index or 0] if device.type == "cuda" else []
    with (
        torch.random.fork_rng(devices=devices, device_type="cuda"),
        _flushed_denormals(),
        _thread_limit(),
    ):
        torch.manual_seed(seed)
        yield
