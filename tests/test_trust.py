"""A fit either gives a usable model or says why not: interrupts, divergence,
dead codes, ignored parameters, unrepresentable input, threads."""

import os
import signal
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from sklearn_ae import (
    ContractiveAE,
    ConvAE,
    DenoisingAE,
    LinearAE,
    RecurrentAE,
    SparseAE,
    StackedAE,
    VariationalAE,
    _data,
    _net,
)

DIGITS = load_digits()
X = DIGITS.data / 16
SMALL = dict(hidden_layer_sizes=(16,), random_state=0)


def _interrupt_at_batch(monkeypatch, n):
    """Make the n-th training batch (counting from 1) raise KeyboardInterrupt."""
    calls = {"n": 0}
    original = _net.AutoencoderNet.train_step_single

    def step(self, batch, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise KeyboardInterrupt
        return original(self, batch, **kwargs)

    monkeypatch.setattr(_net.AutoencoderNet, "train_step_single", step)
    return calls


def _weights(est):
    return [p.detach().clone() for p in est.module_.parameters()]


# ---------------------------------------------------------------- Ctrl-C
def test_interrupt_keeps_completed_epochs_and_reaches_caller(monkeypatch):
    # 1797 rows in batches of 200: 9 batches per epoch; interrupt in epoch 3.
    reference = StackedAE(n_components=4, max_iter=2, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference.fit(X)
    _interrupt_at_batch(monkeypatch, 2 * 9 + 4)
    ae = StackedAE(n_components=4, max_iter=50, **SMALL)
    with pytest.raises(KeyboardInterrupt):
        ae.fit(X)
    # The weights are exactly those at the end of epoch 2, with matching history.
    assert ae.n_iter_ == len(ae.loss_curve_) == 2
    assert ae.loss_curve_ == reference.loss_curve_
    for a, b in zip(_weights(ae), _weights(reference), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert ae.transform(X).shape == (len(X), 4)


def test_interrupt_in_first_epoch_leaves_the_estimator_as_it_was(monkeypatch):
    _interrupt_at_batch(monkeypatch, 3)
    fresh = StackedAE(n_components=4, **SMALL)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X)
    with pytest.raises(NotFittedError):
        fresh.transform(X)
    monkeypatch.undo()

    fitted = StackedAE(n_components=4, max_iter=3, warm_start=True, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted.fit(X)
    before = dict(vars(fitted))
    _interrupt_at_batch(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        fitted.fit(X)
    assert vars(fitted) == before


def test_interrupt_ends_greedy_pretraining_and_searches_at_once(monkeypatch):
    calls = _interrupt_at_batch(monkeypatch, 2)
    ae = StackedAE(n_components=4, hidden_layer_sizes=(32, 16), pretrain="greedy", random_state=0)
    with pytest.raises(KeyboardInterrupt):
        ae.fit(X)
    assert calls["n"] == 2  # no later stage, no fine-tuning
    calls["n"] = 0
    search = GridSearchCV(StackedAE(**SMALL), {"n_components": [2, 4, 8]}, cv=2)
    with pytest.raises(KeyboardInterrupt):
        search.fit(X)
    assert calls["n"] == 2  # the search stopped with the first fit


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name == "nt", reason="POSIX signals")
def test_real_ctrl_c_raises_instead_of_looking_converged():
    ae = StackedAE(n_components=2, max_iter=5000, tol=0, n_iter_no_change=5000, **SMALL)
    # Python's own Ctrl-C handler: an earlier test in the same xdist worker
    # (Dask, torch.distributed) may have left another one installed.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            ae.fit(X)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    if hasattr(ae, "n_iter_"):
        assert ae.n_iter_ == len(ae.loss_curve_) < 5000


# ------------------------------------------------------------ divergence
@pytest.mark.parametrize("lr", [1.0, 10.0])
def test_divergence_to_a_finite_loss_raises(lr):
    # Before: MSE 12.0 (lr=1) or 1.7e8 (lr=10) against the mean's 0.072, no word.
    ae = StackedAE(
        n_components=2, hidden_layer_sizes=(8,), learning_rate_init=lr, max_iter=30, init="random"
    )
    with pytest.raises(FloatingPointError, match=r"diverged.*learning_rate_init"):
        ae.set_params(random_state=0).fit(X[:500])


def test_divergence_from_the_pca_start_is_not_silent():
    # From PCA's start, lr=1 throws the model about (epoch losses in the thousands)
    # and it may land below the 1.5x divergence rule: it still must not pass quietly.
    ae = StackedAE(n_components=2, hidden_layer_sizes=(8,), learning_rate_init=1.0, max_iter=30)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ae.set_params(random_state=0).fit(X[:500])
        except FloatingPointError:
            return
    # With the start folded into the (8,) layer the units die instead (every
    # code constant), which warns as loudly.
    loud = ("no better than their mean", "dead codes")
    assert any(text in str(w.message) for w in caught for text in loud)


@pytest.mark.parametrize(
    "est, data",
    [
        (SparseAE(n_components=8, hidden_layer_sizes=(16,)), X[:500]),
        (
            RecurrentAE(n_components=2, hidden_size=8),
            np.sin(np.linspace(0, 6, 30) + np.random.default_rng(0).uniform(0, 6, (60, 1))),
        ),
    ],
    ids=["sparse", "recurrent"],
)
def test_huge_learning_rates_raise_on_every_family(est, data):
    est.set_params(learning_rate_init=1e6, max_iter=5, random_state=0)
    with pytest.raises(FloatingPointError, match="diverged"):
        est.fit(data)


def test_weights_that_became_nan_in_the_last_update_raise():
    # The last epoch's loss is finite (recorded before the update that broke
    # the weights); only a look at the weights themselves catches it.
    from skorch.callbacks import Callback

    class BreakWeightsAtTheEnd(Callback):
        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == net.max_epochs:
                with torch.no_grad():
                    next(net.module_.parameters())[0, 0] = float("inf")

    ae = StackedAE(n_components=2, max_iter=2, callbacks=[BreakWeightsAtTheEnd()], **SMALL)
    with pytest.raises(FloatingPointError, match="weights became NaN or infinite"):
        ae.fit(X[:200])
    assert np.isfinite(ae.__dict__.get("loss_curve_", [0.0])).all()


def test_failed_divergence_leaves_a_fitted_model_untouched():
    ae = StackedAE(n_components=2, hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X[:500])
    codes = ae.transform(X[:50])
    with pytest.raises(FloatingPointError):
        ae.set_params(learning_rate_init=10.0, warm_start=True).fit(X[:500])
    np.testing.assert_array_equal(ae.transform(X[:50]), codes)


# ------------------------------------------------------------ dead codes
def test_sparse_l1_defaults_give_a_useful_sparse_code():
    ae = SparseAE(n_components=32, sparsity="l1", max_iter=60, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.filterwarnings("ignore", "SparseAE stopped at max_iter", ConvergenceWarning)
        # An L1 penalty silences some units for good (12 of 32 here), and says so.
        warnings.filterwarnings("ignore", ".* code units of SparseAE", ConvergenceWarning)
        ae.fit(X)
    codes = ae.transform(X)
    relative_error = np.mean((ae.reconstruct(X) - X) ** 2) / np.mean(X.var(axis=0))
    assert relative_error < 0.4  # before: 1.0, every unit dead
    assert 0.3 < np.mean(codes <= 1e-6) < 0.9
    assert np.sum(codes.max(axis=0) > 1e-6) >= 10


def test_a_dead_code_is_reported():
    ae = SparseAE(n_components=16, sparsity="l1", sparsity_weight=1.0, max_iter=60, **SMALL)
    with pytest.warns(ConvergenceWarning, match="dead codes"):
        ae.fit(X)
    assert np.ptp(ae.transform(X), axis=0).max() == 0


# ------------------------------------------------- ignored parameters
@pytest.mark.parametrize(
    "est, data, param, value",
    [
        (StackedAE(n_components=2, **SMALL), X, "n_components", 3),
        (StackedAE(n_components=2, **SMALL), X, "hidden_layer_sizes", (8,)),
        (StackedAE(n_components=2, **SMALL), X, "activation", "tanh"),
        (StackedAE(n_components=2, **SMALL), X, "tied_weights", True),
        (SparseAE(n_components=4, **SMALL), X, "sparsity", "l1"),
        (ConvAE(n_components=2, channels=(2,), random_state=0), X, "channels", (3,)),
        (
            RecurrentAE(n_components=2, hidden_size=4, random_state=0),
            X.reshape(-1, 8, 8)[:50],
            "cell",
            "gru",
        ),
        (VariationalAE(n_components=2, **SMALL), X, "architecture", "conv"),
    ],
)
def test_warm_start_with_a_changed_architecture_raises(est, data, param, value):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.set_params(max_iter=1, warm_start=True).fit(data)
        codes = est.transform(data)
        with pytest.raises(ValueError, match=rf"warm_start.*{param}="):
            est.set_params(**{param: value}).fit(data)
    np.testing.assert_array_equal(est.transform(data), codes)


def test_warm_start_accepts_training_parameters():
    ae = StackedAE(n_components=2, max_iter=1, warm_start=True, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X)
        ae.set_params(max_iter=2, learning_rate_init=1e-4, batch_size=100, tol=1e-3).fit(X)
    assert ae.n_iter_ == 3


# --------------------------------------------- unrepresentable input
@pytest.mark.parametrize("scale", [1e16, 1e39])
def test_values_float32_cannot_train_on_get_a_clear_error(scale):
    with pytest.raises(ValueError, match="Scale the data"):
        StackedAE(max_iter=1).fit(X * scale)


def test_a_scale_the_defaults_miss_gets_a_warning():
    with pytest.warns(UserWarning, match="spread.*Scale the data"):
        LinearAE(max_iter=2).fit(X / 255 / 255)


def test_small_scale_input_is_not_stopped_on_its_first_plateau():
    # Dividing by the wrong constant (255 instead of 16): before, training
    # stopped after 33 epochs on a plateau and the 2-d codes' 5-NN accuracy
    # was 0.275 (0.844 at the right scale).
    # A random start and a fine tolerance: the plateau at the mean's error is
    # the one this guards against (the PCA start begins far below it).
    ae = StackedAE(n_components=2, init="random", tol=1e-4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        codes = ae.fit_transform(DIGITS.data / 255)
    accuracy = cross_val_score(KNeighborsClassifier(5), codes, DIGITS.target, cv=3).mean()
    assert accuracy > 0.7


def test_vae_scores_stay_finite_and_ordered_for_far_out_input():
    vae = VariationalAE(n_components=4, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        vae.fit(X)
    rows = X[:200]
    scores = [vae.score_samples((rows * s).astype(np.float32)) for s in (1, 1e3, 1e6, 1e14)]
    for s in scores:
        assert np.all(np.isfinite(s))
        assert len(np.unique(s)) == len(rows)  # no ties (before: 152 tied at -inf)
    # Farther out scores lower, row by row.
    assert all(np.all(a > b) for a, b in pairwise(scores))


# ------------------------------------------------------ numpy integers
def _int_params(est):
    out = {}
    for name, value in est.get_params().items():
        if isinstance(value, bool) or name in ("verbose", "random_state"):
            continue
        if isinstance(value, int):
            out[name] = np.int64(value)
        elif isinstance(value, tuple) and value and all(isinstance(v, int) for v in value):
            out[name] = tuple(np.int64(v) for v in value)
    return out


@pytest.mark.parametrize(
    "est, data",
    [
        (LinearAE(), X[:60]),
        (StackedAE(hidden_layer_sizes=(8,)), X[:60]),
        (DenoisingAE(hidden_layer_sizes=(8,)), X[:60]),
        (SparseAE(hidden_layer_sizes=(8,)), X[:60]),
        (ContractiveAE(hidden_layer_sizes=(8,)), X[:60]),
        (ConvAE(channels=(2,)), X[:60]),
        (RecurrentAE(hidden_layer_sizes=(4,)), X[:20].reshape(-1, 8, 8)),
        (VariationalAE(hidden_layer_sizes=(8,)), X[:60]),
        (VariationalAE(architecture="conv", channels=(2,)), X[:60]),
    ],
    ids=lambda v: type(v).__name__ if hasattr(v, "fit") else "",
)
def test_every_integer_parameter_takes_numpy_integers(est, data):
    params = {**_int_params(est), "max_iter": np.int64(2), "n_components": np.int64(3)}
    if "batch_size" in est.get_params() and est.batch_size != "auto":
        params["batch_size"] = np.int64(est.batch_size)
    est = clone(est).set_params(**params, random_state=np.int64(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        codes = est.fit_transform(data)
    assert codes.shape == (len(data), 3)


# -------------------------------------------------------------- threads
@pytest.mark.parametrize("cls", [StackedAE, DenoisingAE, VariationalAE])
def test_fits_in_threads_are_reproducible_and_leave_the_global_rng_alone(cls):
    def fit(_):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return cls(n_components=2, max_iter=3, early_stopping=True, **SMALL).fit(X)

    state = torch.get_rng_state()
    sequential = fit(None)
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(fit, range(2))
    assert torch.equal(torch.get_rng_state(), state)
    for est in (a, b):
        for p, q in zip(_weights(est), _weights(sequential), strict=True):
            torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_thread_count_follows_the_work(monkeypatch):
    seen = []
    original = _net.AutoencoderNet.train_step_single

    def step(self, batch, **kwargs):
        seen.append(torch.get_num_threads())
        return original(self, batch, **kwargs)

    monkeypatch.setattr(_net.AutoencoderNet, "train_step_single", step)
    before = torch.get_num_threads()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        StackedAE(max_iter=1, **SMALL).fit(X)
        assert set(seen) == {1}  # a digits-sized model runs on one thread
        seen.clear()
        StackedAE(max_iter=1, n_jobs=2, **SMALL).fit(X)
        assert set(seen) == {2}
    assert torch.get_num_threads() == before


# ------------------------------------------------ sparse input, L-BFGS
def test_sparse_full_batch_lbfgs_densifies_in_chunks(monkeypatch):
    S = sp.random(600, 40, density=0.1, format="csr", random_state=0)
    dense = LinearAE(n_components=3, max_iter=20, random_state=0).fit(S.toarray())
    biggest = {"rows": 0}
    original = _data.RowData.take

    def take(self, index):
        out = original(self, index)
        if self.sparse is not None:
            biggest["rows"] = max(biggest["rows"], out.shape[0])
        return out

    monkeypatch.setattr(_data.RowData, "take", take)
    monkeypatch.setattr(_data, "chunk_rows_for", lambda n_features, mib: 64)
    monkeypatch.setattr("sklearn_ae._netbuild.chunk_rows_for", lambda n_features, mib: 64)
    chunked = LinearAE(n_components=3, max_iter=20, random_state=0).fit(S)
    assert biggest["rows"] <= 64  # the 600-row full batch never densified whole
    err = [np.mean((m.reconstruct(S.toarray()) - S.toarray()) ** 2) for m in (dense, chunked)]
    assert err[1] == pytest.approx(err[0], rel=1e-3)


# -------------------------------------------------- float64 inference
def test_float64_inference_copies_the_module_once_per_weights(monkeypatch):
    ae = StackedAE(max_iter=2, warm_start=True, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X)
    copies = {"n": 0}
    import copy as copy_module

    original = copy_module.deepcopy

    def counting(obj, *args, **kwargs):
        if isinstance(obj, torch.nn.Module):
            copies["n"] += 1
        return original(obj, *args, **kwargs)

    monkeypatch.setattr("sklearn_ae._base.copy.deepcopy", counting)
    first = ae.transform(X)
    for _ in range(3):
        np.testing.assert_array_equal(ae.transform(X), first)
    assert copies["n"] == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X)  # new weights: the float64 copy must follow them
    np.testing.assert_allclose(ae.transform(X), ae.transform(X.astype(np.float32)), atol=1e-4)
    assert not np.allclose(ae.transform(X), first)


def test_divergence_on_data_far_from_zero_raises():
    # The floor that absorbs float32 rounding on exact fits once scaled with
    # the uncentred mean square: on data around 100 (variance 1) it was 10,
    # ten times the mean's error, and a diverged fit passed with a warning.
    data = np.random.default_rng(0).normal(100.0, 1.0, size=(300, 4))
    # From PCA's start (error 0.5; a linear path beside the 7 hidden units,
    # fewer than the 4 x 2 that take the start themselves) lr=0.2 ends at 4.95,
    # the mean's error being 1.0.
    ae = StackedAE(n_components=2, hidden_layer_sizes=(7,), learning_rate_init=0.2)
    ae.set_params(max_iter=20, random_state=0)
    with pytest.raises(FloatingPointError, match="diverged"):
        ae.fit(data)
