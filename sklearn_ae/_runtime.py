"""Process-level state a fit touches, and how it is kept private to the fit.

Randomness: every draw of a fit (shuffling, validation split, input noise,
VAE sampling) comes from the fit's own :class:`torch.Generator`, so two fits
in two threads never share a random stream. Only building a module draws from
torch's global RNG (``nn.Linear`` and friends know no other); that happens
under a process-wide lock with the global state forked and seeded, so it is
reproducible and the caller's state is the same afterwards.

Threads and subnormal flushing are process-wide too: they are changed only
inside :func:`compute_context` and restored when the last fit using them ends.
"""

import contextlib
import os
import sys
import threading
import time

import numpy as np
import torch
from sklearn.utils import check_random_state

__all__ = [
    "choose_num_threads",
    "compute_context",
    "make_generator",
    "resolve_device",
    "seed_from_random_state",
    "seeded_global_rng",
]

# Below this many floating-point operations per batch, a second thread costs
# more in synchronisation than it saves (benchmarks/bench_threads.py): on a
# busy 2-core machine a digits-sized fit ran 10-45x slower with 2 threads.
SMALL_WORK_FLOPS = 2e8


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
    if resolved.type == "meta":
        raise ValueError(
            f"device={device!r} holds no data (shapes only); use 'cpu', 'cuda', 'cuda:N' or "
            "'auto'."
        )
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


def make_generator(seed, device):
    """The private random stream of one fit, on the training device."""
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return generator


def draw_seed(generator):
    """An int seed drawn from a fit's ``generator``, for a library that takes ``random_state``."""
    return int(torch.randint(2**31, (1,), generator=generator, device=generator.device))


_GLOBAL_RNG_LOCK = threading.RLock()


@contextlib.contextmanager
def seeded_global_rng(seed):
    """Torch's global CPU RNG seeded with ``seed``, for this thread alone, then restored."""
    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):
        # The CPU generator only: torch.manual_seed would also seed (and
        # leave seeded) every accelerator's, and costs a millisecond a fit.
        torch.default_generator.manual_seed(seed)
        yield


def _worker_thread_budget():
    """Threads this process was given, or None when nobody said.

    joblib's loky workers (``GridSearchCV(n_jobs=...)``) get ``OMP_NUM_THREADS``
    set to their share of the cores; honouring it avoids oversubscription.
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


def idle_cores(window=0.05):
    """Cores left idle by every process over ``window`` seconds (Linux), or None.

    Read before training starts, so this process's own work is not counted.
    """

    def totals():
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, all

    try:
        idle0, all0 = totals()
        time.sleep(window)
        idle1, all1 = totals()
    except (OSError, ValueError, IndexError):
        return None
    if all1 <= all0:
        return None
    return (idle1 - idle0) / (all1 - all0) * (os.cpu_count() or 1)


def choose_num_threads(n_jobs, flops_per_batch, probe_load=False):
    """Torch threads for work of ``flops_per_batch`` per step.

    ``n_jobs`` (the estimator parameter) wins when set: a positive count, or
    -1 for every thread torch would use. ``None`` decides from the work: one
    thread for small models, where splitting a batch costs more than it
    saves (and far more when another process competes for the cores),
    otherwise the threads the process may use: ``OMP_NUM_THREADS`` where
    set (joblib's workers), else the caller's ``torch.get_num_threads()``.
    With ``probe_load`` (a fit, not a quick inference), large work also
    leaves out the cores other processes keep busy: on a 2-core machine with
    one competing process, two threads were 1.7x slower than one.
    """
    available = _worker_thread_budget() or _THREADS.outside()
    if n_jobs is not None:
        return available if n_jobs == -1 else int(n_jobs)
    if flops_per_batch < SMALL_WORK_FLOPS:
        return 1
    idle = idle_cores() if probe_load and available > 1 else None
    if idle is not None:
        available = max(1, min(available, round(idle)))
    return available


def _flush_denormal_active():
    # torch has a setter but no getter: with DAZ on, a subnormal input reads as 0.
    tiny = torch.tensor([1e-40], dtype=torch.float32)
    return bool((tiny * 1.0).item() == 0.0)


class _SharedSetting:
    """A process-wide setting held by any number of concurrent users.

    The first user saves the setting; the last one to leave restores it. The
    value in force while several are inside is the last one applied.
    """

    def __init__(self, get, set_):
        self._get, self._set = get, set_
        self._lock = threading.Lock()
        self._users = 0
        self._saved = None

    def outside(self):
        """The value in force outside every user (the caller's own setting)."""
        with self._lock:
            return self._saved if self._users else self._get()

    @contextlib.contextmanager
    def held(self, value):
        with self._lock:
            if self._users == 0:
                self._saved = self._get()
            self._users += 1
            if value is not None and value != self._get():
                self._set(value)
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0 and self._get() != self._saved:
                    self._set(self._saved)


# Always-zero inputs (MNIST's border pixels) decay the weights that touch them
# into subnormals, which make every CPU op on them ~10x slower.
_FLUSH = _SharedSetting(_flush_denormal_active, torch.set_flush_denormal)
_THREADS = _SharedSetting(torch.get_num_threads, torch.set_num_threads)


@contextlib.contextmanager
def compute_context(num_threads, *, flush_denormal=True):
    """Torch threads set to ``num_threads`` (and subnormals flushed) for one computation."""
    with (
        _FLUSH.held(True if flush_denormal else None),
        _THREADS.held(num_threads),
    ):
        yield
