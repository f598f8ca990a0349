"""scikit-learn MLP's training controls: solvers, their options, learning-rate schedules."""

import math
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

from sklearn_ae import LinearAE, StackedAE

from ._helpers import digits_split

SMALL = dict(n_components=2, hidden_layer_sizes=(16,), max_iter=4, tol=0.0, random_state=0)


def _param_group(ae):
    return ae.net_.optimizer_.param_groups[0]


def test_sgd_momentum_options_reach_the_optimizer():
    X, *_ = digits_split()
    ae = StackedAE(solver="sgd", momentum=0.5, nesterovs_momentum=False, **SMALL).fit(X)
    group = _param_group(ae)
    assert isinstance(ae.net_.optimizer_, torch.optim.SGD)
    assert (group["momentum"], group["nesterov"]) == (0.5, False)
    default = _param_group(StackedAE(solver="sgd", **SMALL).fit(X))
    assert (default["momentum"], default["nesterov"]) == (0.9, True)  # MLP's defaults
    # Nesterov without momentum is plain SGD, as in MLP (torch would refuse it).
    plain = _param_group(StackedAE(solver="sgd", momentum=0.0, **SMALL).fit(X))
    assert (plain["momentum"], plain["nesterov"]) == (0.0, False)


@pytest.mark.parametrize("solver, cls", [("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW)])
def test_adam_options_reach_the_optimizer(solver, cls):
    X, *_ = digits_split()
    ae = StackedAE(solver=solver, beta_1=0.5, beta_2=0.9, epsilon=1e-6, **SMALL).fit(X)
    assert type(ae.net_.optimizer_) is cls
    assert _param_group(ae)["betas"] == (0.5, 0.9) and _param_group(ae)["eps"] == 1e-6


def test_momentum_changes_the_sgd_trajectory():
    X, *_ = digits_split()
    # From a random start: the PCA start leaves both little to fall.
    kw = dict(solver="sgd", learning_rate_init=0.05, init="random", **SMALL)
    slow = StackedAE(momentum=0.0, **kw).fit(X)
    fast = StackedAE(momentum=0.9, **kw).fit(X)
    # Same seed and batches: momentum alone makes the loss fall faster.
    assert fast.loss_curve_[-1] < slow.loss_curve_[-1] - 0.005


def test_invscaling_follows_mlps_formula_with_samples_as_steps():
    X = digits_split()[0][:100]
    ae = StackedAE(
        learning_rate="invscaling", learning_rate_init=0.01, power_t=0.25, batch_size=30, **SMALL
    ).fit(X)
    # MLP: lr = learning_rate_init / (t + 1) ** power_t, t = samples seen, set after each epoch.
    expected = [0.01 / (100 * e + 1) ** 0.25 for e in range(4)]
    np.testing.assert_allclose(ae.net_.history[:, "lr"], expected, rtol=1e-12)
    # t carries over, as MLP's t_ does: a warm start and partial_fit go on decaying.
    ae.set_params(warm_start=True, max_iter=2).fit(X)
    ae.partial_fit(X)
    expected += [0.01 / (100 * e + 1) ** 0.25 for e in range(4, 7)]
    np.testing.assert_allclose(ae.net_.history[:, "lr"], expected, rtol=1e-12)


def test_cosine_decays_over_max_iter():
    X, *_ = digits_split()
    ae = StackedAE(learning_rate="cosine", learning_rate_init=0.02, **{**SMALL, "max_iter": 5})
    ae.fit(X)
    expected = [0.01 * (1 + math.cos(math.pi * e / 5)) for e in range(5)]
    np.testing.assert_allclose(ae.net_.history[:, "lr"], expected, rtol=1e-12)
    assert _param_group(ae)["lr"] == pytest.approx(0.0, abs=1e-18)  # reached 0 at max_iter


def test_adaptive_divides_by_five_on_plateaus_then_stops_below_1e6():
    X = digits_split()[0][:200]
    # tol=0.9: no epoch improves enough, so every n_iter_no_change epochs is a plateau.
    # A rate that leaves the mean image behind in the first epoch (a model still
    # near the mean keeps training whatever the schedule).
    params = dict(SMALL, max_iter=100, tol=0.9, n_iter_no_change=2, learning_rate_init=0.02)
    params["batch_size"] = 20
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ae = StackedAE(learning_rate="adaptive", **params).fit(X)
    lrs = ae.net_.history[:, "lr"]
    distinct = sorted(set(lrs), reverse=True)
    expected = [0.02 / 5**k for k in range(8)]  # 0.02, 0.004, ..., 1.28e-6, 2.56e-7
    np.testing.assert_allclose(distinct, expected, rtol=1e-9)
    # Each lowered rate trains for n_iter_no_change=2 stale epochs; the plateau
    # at 2.56e-7 (<= 1e-6) then ends training instead of lowering it again.
    assert lrs == sorted(lrs, reverse=True)
    assert [lrs.count(lr) for lr in distinct[1:]] == [2] * 7
    # Same seed: a constant rate follows the same path and stops at the first plateau.
    constant = StackedAE(**params).fit(X)
    assert constant.n_iter_ == lrs.count(0.02) < ae.n_iter_


def test_schedules_restart_on_warm_start():
    X, *_ = digits_split()
    ae = StackedAE(learning_rate="cosine", warm_start=True, **SMALL).fit(X)
    ae.fit(X)
    lrs = ae.net_.history[:, "lr"]
    assert len(lrs) == 8 and lrs[4] == lrs[0] == 0.001


def test_training_parameters_may_change_on_warm_start():
    X, *_ = digits_split()
    ae = StackedAE(warm_start=True, **SMALL).fit(X)
    ae.set_params(solver="sgd", momentum=0.3, learning_rate="cosine", learning_rate_init=0.01)
    ae.fit(X)
    assert isinstance(ae.net_.optimizer_, torch.optim.SGD)
    assert _param_group(ae)["momentum"] == 0.3 and ae.net_.history[4, "lr"] == 0.01
    assert ae.n_iter_ == 8


@pytest.mark.parametrize(
    "params, name",
    [
        (dict(solver="adam", momentum=0.5), "momentum"),
        (dict(solver="sgd", beta_1=0.5), "beta_1"),
        (dict(solver="lbfgs", learning_rate="cosine"), "learning_rate"),
        (dict(learning_rate="cosine", power_t=0.1), "power_t"),
        (dict(pretrain_learning_rate_init=0.01), "pretrain_learning_rate_init"),
    ],
)
def test_parameters_that_cannot_act_are_warned_about(params, name):
    X, *_ = digits_split()
    with pytest.warns(UserWarning, match=f"{name}=.* has no effect"):
        StackedAE(**{**SMALL, "max_iter": 1, **params}).fit(X)


def test_defaults_warn_about_nothing():
    X, *_ = digits_split()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        StackedAE(**{**SMALL, "max_iter": 1}).fit(X)
        LinearAE(n_components=2, max_iter=1).fit(X)
        StackedAE(solver="sgd", momentum=0.5, **{**SMALL, "max_iter": 1}).fit(X)


def test_lbfgs_ignores_a_schedule():
    X, *_ = digits_split()
    with pytest.warns(UserWarning, match="line search"):
        ae = LinearAE(n_components=2, max_iter=3, learning_rate="cosine", random_state=0).fit(X)
    assert "lr" not in ae.net_.history[-1] and _param_group(ae)["lr"] == 1.0


@pytest.mark.parametrize(
    "params", [dict(momentum=1.5), dict(beta_1=1.0), dict(epsilon=0.0), dict(solver="rmsprop")]
)
def test_out_of_range_options_are_rejected_like_mlps(params):
    X, *_ = digits_split()
    with pytest.raises(ValueError, match=next(iter(params))):
        StackedAE(**params).fit(X)


def test_pretraining_has_its_own_learning_rate():
    X = digits_split()[0][:300]
    deep = dict(SMALL, hidden_layer_sizes=(32, 16), max_iter=1, pretrain="greedy")
    deep["pretrain_max_iter"] = 3
    own = StackedAE(learning_rate_init=0.001, pretrain_learning_rate_init=0.01, **deep).fit(X)
    fast = StackedAE(learning_rate_init=0.01, **deep).fit(X)
    slow = StackedAE(learning_rate_init=0.001, **deep).fit(X)
    # Pretraining ran at 0.01 (bitwise the stages of a 0.01 fit), fine-tuning at 0.001.
    assert own.pretrain_loss_curves_ == fast.pretrain_loss_curves_
    assert own.pretrain_loss_curves_ != slow.pretrain_loss_curves_
    assert _param_group(own)["lr"] == 0.001


def test_partial_fit_calls_are_one_run_for_the_schedules():
    # Each call used to restart the schedule: cosine never left learning_rate_init
    # with one pass per call, and adaptive forgot every rate it had lowered.
    X = digits_split()[0][:100]
    ae = StackedAE(learning_rate="cosine", learning_rate_init=0.02, **{**SMALL, "max_iter": 4})
    for _ in range(6):
        ae.partial_fit(X)
    cycle = [0.01 * (1 + math.cos(math.pi * e / 4)) for e in range(4)]
    np.testing.assert_allclose(ae.net_.history[:, "lr"], cycle + cycle[:2], rtol=1e-12)

    adaptive = StackedAE(learning_rate="adaptive", learning_rate_init=0.01, **SMALL)
    adaptive.partial_fit(X)
    adaptive.net_.optimizer_.param_groups[0]["lr"] = 0.002  # as a plateau leaves it
    adaptive.partial_fit(X)
    assert adaptive.net_.history[-1, "lr"] == pytest.approx(0.002)
