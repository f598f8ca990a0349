"""Contractive autoencoder: an exact, batched Jacobian penalty that works."""

import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_ae._penalties import ContractivePenalty, encoder_jacobian_sq_norm
from sklearn_ae.modules import DenseAutoencoder

X_TRAIN, X_TEST = train_test_split(load_digits().data / 16, test_size=0.3, random_state=0)


def _autograd_sq_norms(module, x):
    return torch.stack(
        [torch.autograd.functional.jacobian(module.encode, row).pow(2).sum() for row in x]
    )


@pytest.mark.parametrize("hidden", [(), (7,), (20, 5), (30, 12)])
@pytest.mark.parametrize(
    "activation", ["logistic", "tanh", "relu", "elu", "gelu", "selu", "leaky_relu", "softplus"]
)
@pytest.mark.parametrize("code_activation", [None, "logistic"])
@pytest.mark.parametrize("linear_path", [False, True])
def test_jacobian_norm_matches_autograd(hidden, activation, code_activation, linear_path):
    torch.manual_seed(0)
    module = DenseAutoencoder(
        10, 4, hidden, activation, code_activation=code_activation, linear_path=linear_path
    )
    module = module.double()
    if linear_path and hidden:  # a path through a random 4-d subspace
        module.linear_encoder.basis.copy_(torch.randn(4, 10, dtype=torch.float64))
    x = torch.randn(6, 10, dtype=torch.float64)
    expected = _autograd_sq_norms(module, x)
    torch.testing.assert_close(encoder_jacobian_sq_norm(module, x), expected, rtol=1e-5, atol=0)


def test_jacobian_norm_general_fallback_matches_autograd():
    torch.manual_seed(0)
    module = DenseAutoencoder(10, 4, (8,), "tanh").double()
    module.activation = torch.nn.Hardswish()  # no closed form: vmap(jacrev)
    x = torch.randn(5, 10, dtype=torch.float64)
    got = encoder_jacobian_sq_norm(module, x)
    torch.testing.assert_close(got, _autograd_sq_norms(module, x), rtol=1e-5, atol=0)


def test_penalty_is_differentiable_and_weighted():
    torch.manual_seed(0)
    module = DenseAutoencoder(6, 3, (5,), "tanh")
    x = torch.randn(8, 6)
    value = ContractivePenalty(0.5)(module, x, None)
    assert value.item() == pytest.approx(0.5 * _autograd_sq_norms(module, x).mean().item())
    value.backward()
    # The code layer is linear, so only weights (not its bias) shape the Jacobian.
    assert all(layer.weight.grad.abs().sum() > 0 for layer in module.encoder_layers)


def test_relative_penalty_ignores_the_code_scale():
    # Shrinking the code (and growing the decoder to match) leaves the
    # reconstruction as it was: the plain penalty falls with the code's
    # square, the relative one must not reward it (rtol: its 1e-12 guard
    # against a constant code).
    torch.manual_seed(0)
    module = DenseAutoencoder(6, 3, (5,), "tanh").double()
    x = torch.randn(32, 6, dtype=torch.float64)
    relative, plain = ContractivePenalty(0.5, relative=True), ContractivePenalty(0.5)
    before = relative(module, x, module(x)), plain(module, x, None)
    with torch.no_grad():
        module.encoder_layers[-1].weight.mul_(0.1)
        module.encoder_layers[-1].bias.mul_(0.1)
    torch.testing.assert_close(relative(module, x, module(x)), before[0], rtol=1e-6, atol=0)
    torch.testing.assert_close(plain(module, x, None), 0.01 * before[1], rtol=1e-6, atol=0)
    # In the reconstruction loss's units: data 10 times larger (first layer
    # 10 times smaller, the same codes), 100 times the penalty.
    with torch.no_grad():
        module.encoder_layers[0].weight.div_(10)
    scaled = relative(module, 10 * x, module(10 * x))
    torch.testing.assert_close(scaled, 100 * before[0], rtol=1e-6, atol=0)
