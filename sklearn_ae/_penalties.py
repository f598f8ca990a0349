"""Loss terms of the regularised autoencoders: sparsity and contraction.

Each is a small picklable callable ``penalty(module, x_in, out) -> scalar``
that :class:`~sklearn_ae._net.AutoencoderNet` adds to the reconstruction loss
of every training batch; ``x_in`` is the (possibly corrupted) input the module
saw and ``out`` its output dict.
"""

import math

import torch
from torch import nn

__all__ = [
    "ContractivePenalty",
    "KLSparsityPenalty",
    "L1CodePenalty",
    "L2Penalty",
    "encoder_jacobian_sq_norm",
]


class L2Penalty:
    """``alpha / 2 * ||params||^2``: weight decay for optimizers without one (L-BFGS)."""

    def __init__(self, alpha):
        self.alpha = alpha

    def __call__(self, module, x_in, out):
        return 0.5 * self.alpha * sum(p.pow(2).sum() for p in module.parameters())


class L1CodePenalty:
    """``weight * mean |code|``: an L1 penalty on the code activations.

    The mean over code units (not the sum) keeps ``weight`` comparable across
    code sizes, as the reconstruction loss is a mean over features.
    """

    def __init__(self, weight):
        self.weight = weight

    def __call__(self, module, x_in, out):
        return self.weight * out["code"].abs().mean()


class KLSparsityPenalty:
    """``weight * mean_j KL(target || rho_j)``, ``rho_j`` the batch-mean activation of unit j.

    The KL divergence between Bernoulli variables of means ``target`` and
    ``rho_j`` (Ng, 2011); codes must lie in (0, 1), e.g. sigmoid units.
    """

    # Keeps the logs finite when a unit saturates over a whole batch.
    _EPS = 1e-6

    def __init__(self, target, weight):
        self.target = target
        self.weight = weight

    def __call__(self, module, x_in, out):
        rho = out["code"].mean(dim=0).clamp(self._EPS, 1 - self._EPS)
        t = self.target
        kl = t * (math.log(t) - rho.log()) + (1 - t) * (math.log(1 - t) - (1 - rho).log())
        return self.weight * kl.mean()


class ContractivePenalty:
    """``weight * mean_batch ||d code / d x||_F^2`` (Rifai et al., 2011), made scale-free.

    With ``relative=True`` the norm is taken relative to the code's own
    spread over the batch, ``mean_j var(code_j)``, and brought to the
    reconstruction loss's units with the input's squared spread,
    ``(mean_i var(x_i))^2``. The plain norm can be lowered for free by
    shrinking the code and growing the decoder to match (which an untied
    decoder does at once): the code then contracts in absolute terms only.
    The relative norm can only be lowered by making the code flat around
    each sample while it still varies across samples, which is what the
    penalty is for.
    """

    # Keeps the ratio finite when a batch's code is constant.
    _EPS = 1e-12

    def __init__(self, weight, relative=False, shape_free=False):
        self.weight = weight
        self.relative = relative
        self.shape_free = shape_free

    def __call__(self, module, x_in, out):
        norm = encoder_jacobian_sq_norm(module, x_in).mean()
        if getattr(self, "relative", False) and len(x_in) > 1:
            x_in, code = x_in.flatten(1), out["code"].flatten(1)
            x_spread = x_in.var(dim=0).mean().detach()
            code_spread = code.var(dim=0).mean()
            norm = norm * x_spread**2 / (code_spread + self._EPS)
            if getattr(self, "shape_free", False):
                # Even PCA's projection leaves k / n_features of isotropic
                # input noise in a k-d code: relative to that level the
                # norm means the same for any code and input width.
                norm = norm * x_in.shape[1] / code.shape[1] ** 2
        return self.weight * norm


# Derivative of each elementwise activation at its input ``a``.
_DERIVATIVES = {
    nn.Identity: lambda act, a: torch.ones_like(a),
    nn.Sigmoid: lambda act, a: torch.sigmoid(a) * (1 - torch.sigmoid(a)),
    nn.Tanh: lambda act, a: 1 - torch.tanh(a) ** 2,
    nn.ReLU: lambda act, a: (a > 0).to(a.dtype),
    nn.ELU: lambda act, a: torch.where(a > 0, 1.0, act.alpha * torch.exp(a)),
    # GELU(a) = a * Phi(a), so GELU'(a) = Phi(a) + a * phi(a).
    nn.GELU: lambda act, a: (
        0.5 * (1 + torch.erf(a / math.sqrt(2)))
        + a * torch.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
    ),
    nn.SELU: lambda act, a: (
        torch.where(a > 0, 1.0, 1.6732632423543772 * torch.exp(a)) * 1.0507009873554805
    ),
    nn.LeakyReLU: lambda act, a: torch.where(a > 0, torch.ones_like(a), act.negative_slope),
    # Softplus is linear above its threshold, sigmoid(beta * a) below.
    nn.Softplus: lambda act, a: torch.where(
        act.beta * a > act.threshold, 1.0, torch.sigmoid(act.beta * a)
    ),
}


def _has_derivative(act):
    return type(act) in _DERIVATIVES and getattr(act, "approximate", "none") == "none"


def _closed_form_applies(module):
    layers = getattr(module, "encoder_layers", None)
    return (
        layers is not None
        and all(type(layer) is nn.Linear for layer in layers)
        and hasattr(getattr(module, "linear_encoder", None) or layers[0], "weight")
        and _has_derivative(getattr(module, "activation", None))
        and _has_derivative(getattr(module, "code_activation", None))
    )


def encoder_jacobian_sq_norm(module, x):
    """Squared Frobenius norm of ``d module.encode(x) / d x`` for each row of ``x``.

    For a stack of linear layers with elementwise activations (a
    :class:`~sklearn_ae.modules.DenseAutoencoder`) the Jacobian is the product
    ``diag(s_L') W_L ... diag(s_1') W_1``; it is formed batched from the code
    side, where it is narrowest. One layer needs no product at all:
    ``||J||_F^2 = sum_j s_j'^2 ||W_j||^2``, nor two with a linear code:
    ``s^T ((W_2^T W_2) * (W_1 W_1^T)) s``. Any other encoder goes through
    ``torch.func.vmap(torch.func.jacrev(module.encode))``. Both are
    differentiable, so the norm can be trained on.

    Parameters
    ----------
    module : torch.nn.Module
        Has an ``encode`` method.
    x : torch.Tensor of shape (batch_size, ...)

    Returns
    -------
    sq_norms : torch.Tensor of shape (batch_size,)
    """
    if not _closed_form_applies(module):
        jac = torch.func.vmap(torch.func.jacrev(module.encode))(x)
        return jac.flatten(1).pow(2).sum(dim=1)

    layers = module.encoder_layers
    path = getattr(module, "linear_encoder", None)
    slopes, h = [], x
    for i, layer in enumerate(layers):
        act = module.code_activation if i == len(layers) - 1 else module.activation
        a = layer(h)
        if path is not None and i == len(layers) - 1:
            a = a + path(x)
        slopes.append(_DERIVATIVES[type(act)](act, a))
        h = act(a)
    if path is not None:
        # A linear path from input to code adds diag(s_L) P to the Jacobian:
        # form it whole, (batch, n_components, n_features).
        jac = slopes[-1].unsqueeze(2) * layers[-1].weight
        for i in range(len(layers) - 2, -1, -1):
            jac = (jac * slopes[i].unsqueeze(1)) @ layers[i].weight
        jac = jac + slopes[-1].unsqueeze(2) * path.weight
        return jac.pow(2).sum(dim=(1, 2))
    if len(layers) == 1:
        return slopes[0].pow(2) @ layers[0].weight.pow(2).sum(dim=1)
    if len(layers) == 2 and type(module.code_activation) is nn.Identity:
        # J = W2 diag(s) W1, so ||J||_F^2 = s^T ((W2^T W2) * (W1 W1^T)) s: no
        # per-sample matrix at all.
        w1, w2 = layers[0].weight, layers[1].weight
        kernel = (w2.T @ w2) * (w1 @ w1.T)
        return ((slopes[0] @ kernel) * slopes[0]).sum(dim=1)

    # jac: (batch, n_components, width of the layer reached so far), code side first.
    jac = slopes[-1].unsqueeze(2) * layers[-1].weight
    for i in range(len(layers) - 2, 0, -1):
        jac = (jac * slopes[i].unsqueeze(1)) @ layers[i].weight
    jac = jac * slopes[0].unsqueeze(1)
    first = layers[0].weight
    if first.shape[0] < first.shape[1]:
        # ||M W||_F^2 = <M W W^T, M>: the Gram matrix avoids a (batch, k, n_features) product.
        return ((jac @ (first @ first.T)) * jac).sum(dim=(1, 2))
    return (jac @ first).pow(2).sum(dim=(1, 2))
