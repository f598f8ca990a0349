"""The building blocks of the dense autoencoders: activations, tied and projected layers."""

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["ACTIVATIONS", "BackProjection", "LayerPair", "ProjectionPath", "TiedLinear"]

# scikit-learn's MLP names first, then the usual modern ones.
ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "selu": nn.SELU,
    "leaky_relu": nn.LeakyReLU,
    "softplus": nn.Softplus,
}


class TiedLinear(nn.Module):
    """A decoder layer that reuses the transpose of an encoder layer's weight.

    Only the bias is its own, so a tied stack has about half the weights of an
    untied one.
    """

    def __init__(self, source):
        super().__init__()
        self.source = source
        self.bias = nn.Parameter(torch.zeros(source.in_features))

    @property
    def weight(self):
        """The (transposed, shared) weight, shaped like an untied ``nn.Linear``'s."""
        return self.source.weight.t()

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class ProjectionPath(nn.Module):
    """``x -> mix @ basis @ x + bias``: a linear map within a fixed subspace.

    ``basis`` (a buffer, set by :meth:`DenseAutoencoder.init_from_pca`) holds
    the principal axes; only the small square ``mix`` and the bias train.
    Adam moves every weight by about its learning rate whatever its gradient,
    which for a full ``n_features``-wide linear map means a large jump away
    from the PCA start on wide inputs (4096 pixels); a ``k x k`` mix keeps
    the same step small.
    """

    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features = in_features
        self.register_buffer("basis", torch.zeros(out_features, in_features))
        # Not torch.eye: on the meta device (a loaded file's architecture check)
        # it goes through a Python decomposition that imports torch._dynamo.
        self.mix = nn.Parameter(torch.zeros(out_features, out_features).fill_diagonal_(1.0))
        self.bias = nn.Parameter(torch.zeros(out_features))

    @property
    def weight(self):
        """The map's ``(out_features, in_features)`` matrix, as ``nn.Linear`` holds it."""
        return self.mix @ self.basis

    def forward(self, x):
        return F.linear(F.linear(x, self.basis), self.mix, self.bias)


class BackProjection(nn.Module):
    """``z -> basis^T @ mix @ z + bias``: a :class:`ProjectionPath`'s way back, own mix."""

    def __init__(self, source):
        super().__init__()
        self.source = source
        n = source.basis.shape[0]
        self.mix = nn.Parameter(torch.zeros(n, n).fill_diagonal_(1.0))  # see ProjectionPath
        self.bias = nn.Parameter(torch.zeros(source.in_features))

    @property
    def weight(self):
        return self.source.basis.t() @ self.mix

    def forward(self, z):
        return F.linear(F.linear(z, self.mix), self.source.basis.t(), self.bias)


class LayerPair(nn.Module):
    """One encoder layer and its decoder twin, as a shallow autoencoder.

    Holds (does not copy) the layers of a :class:`DenseAutoencoder`, so
    training the pair trains the stack: one stage of greedy layer-wise
    pretraining.
    """

    def __init__(self, encoder, decoder, code_activation, output_activation):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.code_activation = code_activation
        self.output_activation = output_activation

    def encode(self, x):
        return self.code_activation(self.encoder(x))

    def decode(self, z):
        return self.output_activation(self.decoder(z))

    def forward(self, x):
        code = self.encode(x)
        return {"code": code, "recon": self.decode(code)}
