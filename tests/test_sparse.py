"""Sparse autoencoders: KL target rates and L1-sparse codes."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_ae import SparseAE
from sklearn_ae._penalties import KLSparsityPenalty, L1CodePenalty

X_TRAIN, X_TEST = train_test_split(load_digits().data / 16, test_size=0.3, random_state=0)
# Overcomplete: 100 code units for 64 pixels.
NET = dict(n_components=100, hidden_layer_sizes=(), max_iter=40, batch_size=64, random_state=0)


@pytest.mark.parametrize("target", [0.05, 0.2])
def test_kl_mean_activation_hits_target(target):
    ae = SparseAE(sparsity_target=target, **NET)
    codes = ae.fit(X_TRAIN).transform(X_TEST)
    assert codes.shape == (len(X_TEST), 100)
    assert codes.min() > 0 and codes.max() < 1  # sigmoid units
    assert abs(codes.mean() - target) < 0.02


def test_l1_gives_more_exact_zeros_than_no_penalty():
    def zero_share(weight):
        ae = SparseAE(sparsity="l1", sparsity_weight=weight, **NET).fit(X_TRAIN)
        return np.mean(np.abs(ae.transform(X_TEST)) < 1e-3)

    unpenalised, penalised = zero_share(0.0), zero_share(0.3)
    # Measured: 0.23 without the penalty, 0.78 with it.
    assert penalised > unpenalised + 0.3


def test_kl_penalty_value_and_minimum():
    codes = torch.full((4, 3), 0.2)
    penalty = KLSparsityPenalty(0.2, 5.0)
    assert penalty(None, None, {"code": codes}).item() == pytest.approx(0.0, abs=1e-6)
    rho, t = 0.5, 0.1
    kl = t * np.log(t / rho) + (1 - t) * np.log((1 - t) / (1 - rho))
    value = KLSparsityPenalty(t, 2.0)(None, None, {"code": torch.full((4, 3), rho)})
    assert value.item() == pytest.approx(2.0 * kl, rel=1e-5)
    # Saturated units stay finite.
    assert torch.isfinite(penalty(None, None, {"code": torch.ones(4, 3)}))


def test_l1_penalty_value():
    code = torch.tensor([[1.0, -2.0], [0.0, 3.0]])
    assert L1CodePenalty(0.5)(None, None, {"code": code}).item() == pytest.approx(0.75)


def test_sparsity_target_is_validated():
    with pytest.raises(ValueError, match="sparsity_target"):
        SparseAE(sparsity_target=1.0, max_iter=1).fit(X_TRAIN)
