"""Fit every method at every code size and measure it on the held-out test rows."""

import contextlib
import os
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._runtime import idle_cores
from ._data import load_comparison_data
from ._methods import DEFAULT_METHODS, METHODS, make_method, resolve_method, unavailable_reason
from ._metrics import knn_accuracy, measure, reconstruction_mse, trustworthiness_2d
from ._targets import check_targets

__all__ = ["ComparisonResult", "run_comparison"]

N_NEIGHBORS = 5  # for both trustworthiness and the k-NN classifier
# Up to this many rows scikit-learn's t-SNE runs on one thread unless told
# otherwise: a second one saves little there and costs 10-20x under load.
SMALL_TSNE_ROWS = 5000


@dataclass
class ComparisonResult:
    """What :func:`run_comparison` measured.

    Attributes
    ----------
    dataset : str
    rows : list of dict
        One per (method, code size): ``method`` (the row name, e.g.
        ``"StackedAE"``), ``key`` (the method's short name, ``"stacked"``),
        ``dim``, ``mse`` (per pixel,
        None without an inverse), ``trustworthiness`` (2-d only),
        ``knn_accuracy`` (None without a transform), ``fit_s``, ``threads``,
        ``transform_s_per_1000``, ``python_peak_mb``, ``rss_growth_mb``,
        ``target``, ``settings`` and ``note``.
    maps : dict
        ``{row name: 2-d codes of the test rows}`` for every 2-d map.
    reconstructions : dict
        ``{(row name, dim): reconstructions of the shown test rows}``.
    shown : ndarray
        The shown test rows (one per class), image-shaped by ``image_shape``.
    y_test, image_shape, target_names, info : the data set's details.
    kind : str
        ``"image"`` or ``"series"`` (then ``image_shape`` is
        ``(n_timesteps, n_channels)``).
    notes : list of str
        Caveats that apply to the whole table.
    """

    dataset: str
    rows: list = field(default_factory=list)
    maps: dict = field(default_factory=dict)
    reconstructions: dict = field(default_factory=dict)
    shown: np.ndarray = None
    y_test: np.ndarray = None
    image_shape: tuple = None
    target_names: list = None
    info: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    kind: str = "image"

    def to_frame(self):
        """The rows as a pandas DataFrame (needs pandas)."""
        from ._report import require

        return require("pandas").DataFrame(self.rows)


def _describe_ae(estimator, runner_settings):
    params = estimator.get_params()
    parts = []
    if "hidden_layer_sizes" in params:
        parts.append("hidden=" + "-".join(str(s) for s in params["hidden_layer_sizes"]))
    epochs = str(params["max_iter"])
    if runner_settings.get("finetune_iter"):
        epochs += f"+{runner_settings['finetune_iter']}"
    parts += [f"epochs={epochs}", f"batch={params['batch_size']}", params["solver"]]
    if params.get("tied_weights"):
        parts.append("tied")
    if params.get("out_activation", "identity") != "identity":
        parts.append(f"out={params['out_activation']}")
    if params["learning_rate_init"] != "auto":
        lr = f"lr={params['learning_rate_init']:g}"
        if runner_settings.get("finetune_iter"):
            factor = runner_settings.get("finetune_lr_factor", 0.1)
            lr += f" then {params['learning_rate_init'] * factor:g}"
        parts.append(lr)
    return ", ".join(parts)


def _fit_autoencoder(estimator, X, runner_settings):
    """Fit, then (optionally) train on at a lower learning rate: a step decay."""
    estimator.fit(X)
    extra = runner_settings.get("finetune_iter")
    if extra:
        lr = estimator.learning_rate_init
        lr = 1e-3 if lr == "auto" else lr
        factor = runner_settings.get("finetune_lr_factor", 0.1)
        estimator.set_params(warm_start=True, max_iter=extra, learning_rate_init=lr * factor)
        estimator.fit(X)
    return estimator


def _pick_shown(y, n_classes=10):
    """Indices of the first test row of each class, in class order."""
    return np.array([np.flatnonzero(y == c)[0] for c in np.unique(y)[:n_classes]])


def run_comparison(
    dataset="digits",
    methods=DEFAULT_METHODS,
    dims=(2, 32),
    *,
    data=None,
    data_home=None,
    n_train=None,
    n_test=None,
    ae_params=None,
    random_state=0,
    progress=None,
    verbose=False,
    n_threads=None,
):
    """Compare dimensionality reduction methods on one data set.

    Each method is fitted on the training rows at each code size and measured
    on the test rows: reconstruction error per pixel (methods with an
    inverse), trustworthiness of 2-d maps (k=5), accuracy of a 5-NN
    classifier fitted on the training codes, fit time, transform time and
    peak memory (see :func:`~sklearn_ae.compare._metrics.measure`).

    Parameters
    ----------
    dataset : str, default="digits"
        A key of :data:`~sklearn_ae.compare.DATASETS` or ``"ucr:<Name>"``.
    methods : sequence of str, default=DEFAULT_METHODS
        Keys of :data:`~sklearn_ae.compare.METHODS` (``"pca"``, ``"stacked"``)
        or row names (``"StackedAE"``). A known method that cannot run here
        (a package or an estimator parameter missing) is skipped with a note.
    dims : sequence of int, default=(2, 32)
        Code sizes. t-SNE runs at 2 only.
    data : ComparisonData, default=None
        Already loaded data; otherwise loaded from ``dataset`` and the options below.
    data_home, n_train, n_test :
        See :func:`load_comparison_data`.
    ae_params : dict, default=None
        Overrides of the autoencoders' per-dataset settings, e.g.
        ``{"max_iter": 5, "hidden_layer_sizes": (64,)}``.
    random_state : int, default=0
        Seed of the split, the subsets and every method.
    progress : callable, default=None
        Called with one line of text after each method and code size.
    verbose : bool, default=False
        Let the autoencoders print one line per epoch.
    n_threads : int, default=None
        Threads for torch, BLAS and OpenMP (t-SNE) during the run. None chooses
        per method: one for scikit-learn's t-SNE up to 5,000 rows, else the
        cores idle when the method starts (all of them on a quiet machine), so
        that a busy machine is not oversubscribed; a thread without a core made
        scikit-learn's t-SNE 10-50 times slower on a loaded 2-core machine.
        Results depend slightly on it (summation order).

    Returns
    -------
    result : ComparisonResult
    """
    if data is None:
        data = load_comparison_data(
            dataset,
            data_home=data_home,
            n_train=n_train,
            n_test=n_test,
            random_state=random_state,
        )
    result = ComparisonResult(
        dataset=data.name,
        y_test=data.y_test,
        image_shape=data.image_shape,
        target_names=data.target_names,
        kind=data.kind,
        info={
            "description": data.description,
            "n_train": int(data.X_train.shape[0]),
            "n_test": int(data.X_test.shape[0]),
            "n_features": int(data.X_train.shape[1]),
            "random_state": random_state,
        },
    )
    shown = _pick_shown(data.y_test)
    result.shown = data.X_test[shown]
    keys = []
    for name in methods:
        key = resolve_method(name)
        why = unavailable_reason(key)
        if why is not None:
            result.notes.append(f"{METHODS[key].label} skipped: {why}.")
        elif key not in keys:
            keys.append(key)
    methods = keys
    if data.kind == "series":  # flat rows; RecurrentAE reads them as (steps, channels)
        ae_params = {"n_channels": data.image_shape[1], **(ae_params or {})}
    _run_all(
        result, data, methods, dims, shown, ae_params, random_state, progress, verbose, n_threads
    )
    check_targets(data.name, result.rows)
    if any(r["key"] == "tsne" for r in result.rows):
        result.notes.append(
            "sklearn's t-SNE cannot place new points: its map (and trustworthiness) is "
            "computed by embedding the test rows themselves, and it has no k-NN accuracy."
        )
    return result


def _auto_threads(key, n_rows):
    """Threads for one method when the user chose none: what the machine has free.

    On a busy machine a thread that has no core of its own stalls the others
    at every OpenMP barrier: on a shared 2-core machine (load 6-8),
    scikit-learn's t-SNE of the 450 digits test rows took 23-61 s on 2 threads
    against 2.0-2.7 s on one (benchmarks/RESULTS_busy.md). Small t-SNE runs
    therefore take one thread; other methods the cores idle just before they
    start, at most the threads this process is set to use (torch's count:
    ``OMP_NUM_THREADS``, a test worker's 1), and torch still trains small
    models on one thread itself.
    """
    if key == "tsne" and n_rows <= SMALL_TSNE_ROWS:
        return 1
    import torch

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    cores = max(1, min(cores, torch.get_num_threads()))
    idle = idle_cores(window=0.1) if cores > 1 else None
    return cores if idle is None else max(1, min(cores, round(idle)))


@contextlib.contextmanager
def _threads(n_threads):
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        with threadpool_limits(n_threads):
            yield
    finally:
        torch.set_num_threads(before)


def _run_all(
    result, data, methods, dims, shown, ae_params, random_state, progress, verbose, n_threads
):
    start = time.perf_counter()
    for method in methods:
        for dim in dims:
            info = make_method(
                method,
                dim,
                dataset=data.name,
                random_state=random_state,
                overrides=ae_params,
                verbose=verbose,
            )
            if info is None:
                continue
            n_rows = len(data.X_test if info.transductive else data.X_train)
            threads = n_threads or _auto_threads(method, n_rows)
            with warnings.catch_warnings(), _threads(threads):
                # Fixed epoch budgets stop before the tolerance is met by design.
                warnings.simplefilter("ignore", ConvergenceWarning)
                row = _run_one(METHODS[method].label, dim, info, data, result, shown)
            row["threads"] = threads
            row["key"] = method
            result.rows.append(row)
            if progress is not None:
                progress(_progress_line(row, time.perf_counter() - start))


def _run_one(method, dim, info, data, result, shown):
    est = info.estimator
    row = {
        "method": method,
        "dim": dim,
        "mse": None,
        "trustworthiness": None,
        "knn_accuracy": None,
        "transform_s_per_1000": None,
        "note": "",
        "settings": "",
    }
    if info.transductive:
        with measure() as cost:
            Z_test = est.fit_transform(data.X_test)
        row["note"] = "n/a: no transform (map of the test rows)"
        row["settings"] = f"perplexity={est.perplexity}, init={est.init}"
    else:
        with measure() as cost:
            if info.is_autoencoder:
                # Described before fitting: the fine-tuning stage changes max_iter and lr.
                row["settings"] = _describe_ae(est, info.runner_settings)
                _fit_autoencoder(est, data.X_train, info.runner_settings)
            else:
                est.fit(data.X_train)
        t0 = time.perf_counter()
        Z_test = np.asarray(est.transform(data.X_test))
        row["transform_s_per_1000"] = (time.perf_counter() - t0) / len(Z_test) * 1000
        Z_train = np.asarray(est.transform(data.X_train))
        row["knn_accuracy"] = knn_accuracy(Z_train, data.y_train, Z_test, data.y_test, N_NEIGHBORS)
        if info.has_inverse:
            X_hat = np.asarray(est.inverse_transform(Z_test)).reshape(data.X_test.shape)
            row["mse"] = reconstruction_mse(data.X_test, X_hat)
            result.reconstructions[(method, dim)] = X_hat[shown]
    row.update(
        fit_s=cost.seconds, python_peak_mb=cost.python_peak_mb, rss_growth_mb=cost.rss_growth_mb
    )
    if dim == 2:
        row["trustworthiness"] = trustworthiness_2d(data.X_test, Z_test, N_NEIGHBORS)
        result.maps[method] = Z_test
    return row


def _progress_line(row, elapsed):
    parts = [
        f"[{elapsed:8.1f}s] {row['method']:<12} dim={row['dim']:<3}",
        f"fit {row['fit_s']:.1f}s",
    ]
    for key, label in (("mse", "mse"), ("trustworthiness", "trust"), ("knn_accuracy", "5-NN")):
        if row[key] is not None:
            parts.append(f"{label} {row[key]:.4g}")
    return "  ".join(parts)
