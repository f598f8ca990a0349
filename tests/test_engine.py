"""The training engine: stopping, divergence, reproducibility, global state."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

from sklearn_ae import LinearAE, StackedAE
from sklearn_ae._net import AutoencoderNet
from sklearn_ae._runtime import _flush_denormal_active

from ._helpers import digits_split

SMALL = dict(hidden_layer_sizes=(16,), max_iter=15, random_state=0)


def test_random_state_makes_training_bitwise_reproducible():
    X_train, X_test, *_ = digits_split()
    a = StackedAE(n_components=4, noise="gaussian", **SMALL).fit(X_train)
    b = StackedAE(n_components=4, noise="gaussian", **SMALL).fit(X_train)
    np.testing.assert_array_equal(a.transform(X_test), b.transform(X_test))
    assert a.loss_curve_ == b.loss_curve_
    c = StackedAE(n_components=4, **{**SMALL, "random_state": 1}).fit(X_train)
    assert not np.array_equal(a.transform(X_test), c.transform(X_test))


def test_random_state_instance_is_accepted():
    X_train, *_ = digits_split()
    rs = np.random.RandomState(0)
    StackedAE(n_components=2, **{**SMALL, "random_state": rs}).fit(X_train)


@pytest.mark.parametrize("random_state", [0, None])
def test_global_random_states_are_untouched(random_state):
    X_train, *_ = digits_split()
    torch_before = torch.get_rng_state()
    # The legacy global RNG is exactly what must stay untouched.
    np_before = np.random.get_state()[1].copy()  # noqa: NPY002
    StackedAE(n_components=2, **{**SMALL, "random_state": random_state}).fit(X_train)
    assert torch.equal(torch.get_rng_state(), torch_before)
    assert np.array_equal(np.random.get_state()[1], np_before)  # noqa: NPY002


def test_convergence_warning_only_when_max_iter_cuts_training_short():
    X_train, *_ = digits_split()
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        StackedAE(n_components=2, max_iter=3, random_state=0).fit(X_train)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ae = LinearAE(n_components=2, random_state=0).fit(X_train)
    assert ae.n_iter_ < ae.max_iter


def test_divergence_is_reported_with_epoch_and_advice():
    X_train, *_ = digits_split()
    ae = StackedAE(n_components=2, solver="sgd", learning_rate_init=50.0, **SMALL)
    with pytest.raises(FloatingPointError, match=r"epoch \d+.*lower learning_rate_init"):
        ae.fit(X_train * 100)


def test_failed_fit_leaves_fitted_model_untouched():
    X_train, X_test, *_ = digits_split()
    ae = StackedAE(n_components=3, **SMALL).fit(X_train)
    codes, state = ae.transform(X_test), dict(vars(ae))
    with pytest.raises(ValueError, match="NaN"):
        ae.fit(np.full_like(X_train, np.nan))
    ae.set_params(solver="sgd", learning_rate_init=50.0)
    with pytest.raises(FloatingPointError):
        ae.fit(X_train * 100)
    ae.set_params(warm_start=True)
    with pytest.raises(FloatingPointError):
        ae.fit(X_train * 100)
    assert ae.n_iter_ == state["n_iter_"] and ae.net_ is state["net_"]
    np.testing.assert_array_equal(ae.transform(X_test), codes)


def test_early_stopping_monitors_validation_and_restores_best():
    X_train, *_ = digits_split()
    ae = StackedAE(
        n_components=4, early_stopping=True, n_iter_no_change=3, **{**SMALL, "max_iter": 200}
    ).fit(X_train)
    curve = ae.validation_loss_curve_
    assert len(curve) == len(ae.loss_curve_) == ae.n_iter_ < 200
    assert ae.best_validation_loss_ == min(curve)
    # Training stopped within n_iter_no_change epochs of the best one.
    assert ae.n_iter_ - 1 - 3 <= curve.index(min(curve)) <= ae.n_iter_ - 1


def test_warm_start_continues_training():
    X_train, *_ = digits_split()
    ae = StackedAE(n_components=4, warm_start=True, **{**SMALL, "max_iter": 5}).fit(X_train)
    first = list(ae.loss_curve_)
    ae.fit(X_train)
    assert ae.n_iter_ == 10 and ae.loss_curve_[:5] == first
    assert ae.loss_curve_[-1] < first[-1]


def test_verbose_prints_one_line_per_epoch(capsys):
    X_train, *_ = digits_split()
    StackedAE(n_components=2, verbose=True, **{**SMALL, "max_iter": 3}).fit(X_train)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch    1/3") and "loss" in lines[0]
    StackedAE(n_components=2, **{**SMALL, "max_iter": 3}).fit(X_train)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("before", [False, True])
def test_flush_denormal_state_is_restored(before):
    X_train, *_ = digits_split()
    torch.set_flush_denormal(before)
    try:
        seen = []
        original = AutoencoderNet.run_single_epoch

        def spy(self, *args, **kwargs):
            seen.append(_flush_denormal_active())
            return original(self, *args, **kwargs)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(AutoencoderNet, "run_single_epoch", spy)
            StackedAE(n_components=2, **{**SMALL, "max_iter": 2}).fit(X_train)
        assert seen and all(seen)
        assert _flush_denormal_active() == before
    finally:
        torch.set_flush_denormal(False)


def test_thread_budget_of_a_joblib_worker_is_honoured(monkeypatch):
    X_train, *_ = digits_split()
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    seen = []
    original = AutoencoderNet.run_single_epoch

    def spy(self, *args, **kwargs):
        seen.append(torch.get_num_threads())
        return original(self, *args, **kwargs)

    try:
        monkeypatch.setattr(AutoencoderNet, "run_single_epoch", spy)
        # What joblib's loky backend sets in a worker given one core.
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        StackedAE(n_components=2, **{**SMALL, "max_iter": 2}).fit(X_train)
        assert set(seen) == {1}
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_stopping_rule_judges_negative_losses_by_their_size(sign):
    # A VAE's loss can be negative; -1.1 after -1.2 is a worse epoch, and it
    # once counted as an improvement (any negative loss did), so a fit whose
    # loss hovered below zero never stopped.
    from sklearn_ae._net import ConvergenceMonitor, StopTraining

    class History(list):
        def __getitem__(self, key):
            row, column = key
            return super().__getitem__(row)[column]

    class Net:
        history = History()

    monitor = ConvergenceMonitor(tol=0.01, n_iter_no_change=2)
    monitor.on_train_begin(Net)
    losses = [1.0, 0.9, 0.95, 0.899] if sign > 0 else [-1.0, -1.2, -1.1, -1.201]
    with pytest.raises(StopTraining):
        for loss in losses:
            Net.history.append({"train_loss": loss})
            monitor.on_epoch_end(Net)
    assert len(Net.history) == 4 and monitor.converged_
