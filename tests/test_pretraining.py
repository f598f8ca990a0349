"""Greedy layer-wise pretraining and tied weights of the dense stacks."""

import copy

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_ae import ContractiveAE, DenoisingAE, SparseAE, StackedAE, _stacked
from sklearn_ae.modules import DenseAutoencoder

X_TRAIN, X_TEST = train_test_split(load_digits().data / 16, test_size=0.3, random_state=0)
DEEP = dict(
    n_components=8,
    hidden_layer_sizes=(48, 24),
    activation="logistic",
    pretrain="greedy",
    pretrain_max_iter=8,
    max_iter=15,
    learning_rate_init=0.01,
    random_state=0,
)


def _mse(reconstruct, X):
    return float(np.mean((reconstruct(X) - X) ** 2))


def test_greedy_records_stage_curves_and_fine_tuning_improves(monkeypatch):
    snapshots = []
    original = _stacked.greedy_pretrain

    def spy(estimator, module, data, max_iter, **kwargs):
        curves = original(estimator, module, data, max_iter, **kwargs)
        snapshots.append(copy.deepcopy(module))
        return curves

    monkeypatch.setattr(_stacked, "greedy_pretrain", spy)
    # The stack alone: a PCA start would replace the pretrained outer layers.
    ae = StackedAE(**DEEP, init="random").fit(X_TRAIN)

    curves = ae.pretrain_loss_curves_
    assert [len(c) for c in curves] == [8, 8, 8]  # one stage per encoder layer
    assert all(c[-1] < c[0] for c in curves)
    assert ae.n_iter_ == 15  # fine-tuning epochs only

    (pretrained,) = snapshots

    with torch.random.fork_rng():
        torch.manual_seed(0)
        untrained = DenseAutoencoder(64, 8, (48, 24), "logistic")

    def reconstruct_with(module):
        def reconstruct(X):
            with torch.no_grad():
                return module(torch.as_tensor(X, dtype=torch.float32))["recon"].numpy()

        return reconstruct

    # Pretraining moved the stack far from its random initialisation, and
    # fine-tuning end to end improves on the pretrained stack (measured: 0.19,
    # 0.072, 0.046).
    pretrained_mse = _mse(reconstruct_with(pretrained), X_TEST)
    assert pretrained_mse < 0.5 * _mse(reconstruct_with(untrained), X_TEST)
    assert _mse(ae.reconstruct, X_TEST) < 0.8 * pretrained_mse


def test_greedy_is_reproducible_and_changes_the_result():
    a = StackedAE(**DEEP).fit(X_TRAIN)
    b = StackedAE(**DEEP).fit(X_TRAIN)
    np.testing.assert_array_equal(a.transform(X_TEST), b.transform(X_TEST))
    assert a.pretrain_loss_curves_ == b.pretrain_loss_curves_
    plain = StackedAE(**{**DEEP, "pretrain": None}).fit(X_TRAIN)
    assert not hasattr(plain, "pretrain_loss_curves_")
    assert not np.allclose(a.transform(X_TEST), plain.transform(X_TEST))


def test_refit_without_pretraining_drops_stage_curves():
    ae = StackedAE(**{**DEEP, "max_iter": 1}).fit(X_TRAIN)
    ae.set_params(pretrain=None).fit(X_TRAIN)
    assert not hasattr(ae, "pretrain_loss_curves_")


@pytest.mark.parametrize(
    "cls, kw",
    [
        (DenoisingAE, {}),
        (SparseAE, {"sparsity": "kl"}),
        (ContractiveAE, {"contractive_weight": 1e-3}),
        (StackedAE, {"tied_weights": True, "loss": "bce", "solver": "lbfgs", "alpha": 1e-4}),
    ],
)
def test_greedy_works_for_every_dense_stack(cls, kw):
    ae = cls(**{**DEEP, "max_iter": 2, "pretrain_max_iter": 2, **kw}).fit(X_TRAIN)
    assert len(ae.pretrain_loss_curves_) == 3
    assert np.isfinite(ae.pretrain_loss_curves_).all()
    assert np.isfinite(ae.transform(X_TEST)).all()


def test_warm_start_does_not_pretrain_again():
    ae = StackedAE(**{**DEEP, "max_iter": 2, "warm_start": True}).fit(X_TRAIN)
    curves = ae.pretrain_loss_curves_
    first_layer = ae.module_.encoder_layers[0].weight.detach().clone()
    ae.fit(X_TRAIN)
    assert ae.pretrain_loss_curves_ is curves
    assert not torch.equal(first_layer, ae.module_.encoder_layers[0].weight)


def _n_unique_parameters(module):
    # parameters() yields a shared tensor once: tied decoders reuse encoder weights.
    return sum(p.numel() for p in module.parameters())


def test_tied_weights_halve_the_weights_and_train_as_well():
    kw = dict(n_components=16, hidden_layer_sizes=(48,), max_iter=40, random_state=0)
    untied = StackedAE(**kw).fit(X_TRAIN)
    tied = StackedAE(tied_weights=True, **kw).fit(X_TRAIN)
    # The stack's layers and the linear path of the PCA start (a 16 x 16 mix
    # each way within the principal subspace), tied alike.
    n_weights = 64 * 48 + 48 * 16 + 16 * 16
    n_biases = (48 + 16) + (48 + 64) + (16 + 64)  # encoder, decoder, path
    assert _n_unique_parameters(untied.module_) == 2 * n_weights + n_biases
    assert _n_unique_parameters(tied.module_) == n_weights + n_biases
    assert tied.module_.linear_decoder.source is tied.module_.linear_encoder
    # Tied decoders really are the transposed encoder weights.
    decoder = tied.module_.decoder_layers[-1]
    assert decoder.source is tied.module_.encoder_layers[0]
    assert _mse(tied.reconstruct, X_TEST) < 1.15 * _mse(untied.reconstruct, X_TEST)
