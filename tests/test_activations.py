"""Code and output activations of the dense autoencoders, and the activations they choose from."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from torch import nn

from sklearn_ae import ContractiveAE, DenoisingAE, SparseAE, StackedAE
from sklearn_ae.modules import ACTIVATIONS

from ._helpers import digits_split, recon_mse

SMALL = dict(hidden_layer_sizes=(16,), max_iter=5, random_state=0)
LONGER = {**SMALL, "max_iter": 25}


def test_tutorial_basic_autoencoder_is_one_call():
    # The Keras tutorial's 784-32-784 autoencoder: Dense(32, relu), Dense(784, sigmoid).
    X = np.random.default_rng(0).random((40, 784))
    ae = StackedAE(
        n_components=32,
        hidden_layer_sizes=(),
        code_activation="relu",
        out_activation="logistic",
        max_iter=1,
        random_state=0,
    ).fit(X)
    m = ae.module_
    assert [(lay.in_features, lay.out_features) for lay in m.encoder_layers] == [(784, 32)]
    assert [(lay.in_features, lay.out_features) for lay in m.decoder_layers] == [(32, 784)]
    assert type(m.code_activation) is nn.ReLU and type(m.out_activation) is nn.Sigmoid
    assert sum(p.numel() for p in m.parameters()) == 50_992  # the tutorial's count
    x = torch.as_tensor(X[:5], dtype=torch.float32)
    expected = torch.sigmoid(m.decoder_layers[0](torch.relu(m.encoder_layers[0](x))))
    np.testing.assert_allclose(ae.reconstruct(X[:5].astype(np.float32)), expected.detach(), 1e-6)


def test_code_activation_shapes_the_codes():
    X_train, X_test, *_ = digits_split()
    relu = StackedAE(n_components=8, code_activation="relu", **SMALL).fit(X_train)
    codes = relu.transform(X_test)
    assert codes.min() == 0.0 and (codes == 0).mean() > 0.05
    logistic = StackedAE(n_components=8, code_activation="logistic", **SMALL).fit(X_train)
    codes = logistic.transform(X_test)
    assert 0 < codes.min() and codes.max() < 1
    linear = StackedAE(n_components=8, **SMALL).fit(X_train).transform(X_test)
    assert linear.min() < 0  # the default code is unbounded


def test_logistic_output_with_mse_stays_in_unit_interval_and_learns():
    X_train, X_test, *_ = digits_split()
    ae = StackedAE(n_components=8, out_activation="logistic", learning_rate_init=0.01, **LONGER)
    ae.fit(X_train)
    recon = ae.inverse_transform(ae.transform(X_test * 5))  # even far outside [0, 1]
    assert 0 < recon.min() and recon.max() < 1
    mean_mse = ((X_test - X_train.mean(axis=0)) ** 2).mean()
    assert recon_mse(ae, X_test) < 0.55 * mean_mse  # 0.034 vs 0.074 when written


def test_bce_keeps_its_sigmoid_and_accepts_a_logistic_out_activation():
    X_train, X_test, *_ = digits_split()
    plain = StackedAE(n_components=4, loss="bce", **SMALL).fit(X_train)
    logistic = StackedAE(n_components=4, loss="bce", out_activation="logistic", **SMALL)
    logistic.fit(X_train)
    # The same model: the sigmoid is applied by the loss, on logits.
    np.testing.assert_array_equal(plain.transform(X_test), logistic.transform(X_test))
    assert plain.loss_curve_ == logistic.loss_curve_
    recon = logistic.reconstruct(X_test)
    assert 0 < recon.min() and recon.max() < 1
    with pytest.raises(ValueError, match=r"loss='bce'.*out_activation='tanh'"):
        StackedAE(n_components=4, loss="bce", out_activation="tanh", **SMALL).fit(X_train)


@pytest.mark.parametrize("activation", ["selu", "leaky_relu", "softplus"])
def test_new_hidden_activations_train(activation):
    X_train, X_test, *_ = digits_split()
    ae = StackedAE(n_components=8, activation=activation, learning_rate_init=0.01, **LONGER)
    ae.fit(X_train)
    assert type(ae.module_.activation) is ACTIVATIONS[activation]
    mean_mse = ((X_test - X_train.mean(axis=0)) ** 2).mean()
    assert recon_mse(ae, X_test) < 0.55 * mean_mse  # 0.027-0.037 vs 0.074 when written


def test_activation_without_hidden_layers_is_warned_about():
    # Issue 8: with no hidden layer `activation` used to be silently ignored.
    X, *_ = digits_split()
    with pytest.warns(UserWarning, match="activation='elu' has no effect.*code_activation"):
        StackedAE(hidden_layer_sizes=(), activation="elu", max_iter=1).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        StackedAE(hidden_layer_sizes=(8,), activation="elu", max_iter=1).fit(X)


def test_activations_reach_every_dense_variant():
    X, *_ = digits_split()
    for cls in (DenoisingAE, ContractiveAE):
        m = cls(code_activation="tanh", out_activation="logistic", **SMALL).fit(X).module_
        assert type(m.code_activation) is nn.Tanh and type(m.out_activation) is nn.Sigmoid
    l1 = SparseAE(sparsity="l1", code_activation="softplus", **SMALL).fit(X).module_
    assert type(l1.code_activation) is nn.Softplus
    assert type(SparseAE(**SMALL).fit(X).module_.code_activation) is nn.Sigmoid
    with pytest.raises(ValueError, match="sparsity='kl' needs code units in"):
        SparseAE(code_activation="relu", **SMALL).fit(X)


def test_greedy_first_stage_trains_the_output_activation():
    X = digits_split()[0][:300]
    ae = StackedAE(
        out_activation="logistic",
        pretrain="greedy",
        pretrain_max_iter=1,
        **{**SMALL, "max_iter": 1},
    ).fit(X)
    assert type(ae.module_.layer_pair(0).output_activation) is nn.Sigmoid


def test_warm_start_refuses_a_changed_activation():
    X, *_ = digits_split()
    ae = StackedAE(warm_start=True, **SMALL).fit(X)
    ae.set_params(code_activation="relu")
    with pytest.raises(ValueError, match="code_activation='identity'"):
        ae.fit(X)
