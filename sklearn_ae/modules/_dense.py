"""Fully connected autoencoders, from linear to deep, optionally with tied weights."""

from itertools import pairwise

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["ACTIVATIONS", "DenseAutoencoder", "LayerPair", "TiedLinear"]

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


class DenseAutoencoder(nn.Module):
    """A mirror-image stack of linear layers.

    ``n_features -> hidden_layer_sizes... -> n_components`` and back. The code
    layer has ``code_activation`` and the output layer ``out_activation``
    (both linear by default). A loss that works on logits (binary
    cross-entropy) needs the raw, linear output.

    Parameters
    ----------
    n_features : int
    n_components : int
    hidden_layer_sizes : tuple of int, default=()
        Empty for a single-layer (basic undercomplete) autoencoder.
    activation : str, default="relu"
        Key of :data:`ACTIVATIONS` used between hidden layers.
    tied_weights : bool, default=False
        Decoder layer ``i`` uses the transpose of encoder layer ``i``'s weight.
    code_activation : str or None, default=None
        Nonlinearity on the code itself (``"logistic"`` for KL sparsity);
        None is ``"identity"``.
    out_activation : str or None, default=None
        Nonlinearity on the reconstruction (``"logistic"``: a sigmoid);
        None is ``"identity"``.
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes=(),
        activation="relu",
        tied_weights=False,
        code_activation=None,
        out_activation=None,
    ):
        super().__init__()
        sizes = [n_features, *hidden_layer_sizes, n_components]
        pairs = list(pairwise(sizes))
        self.encoder_layers = nn.ModuleList(nn.Linear(a, b) for a, b in pairs)
        if tied_weights:
            decoder = [TiedLinear(layer) for layer in reversed(self.encoder_layers)]
        else:
            decoder = [nn.Linear(b, a) for a, b in reversed(pairs)]
        self.decoder_layers = nn.ModuleList(decoder)
        self.activation = ACTIVATIONS[activation]()
        self.code_activation = ACTIVATIONS[code_activation or "identity"]()
        self.out_activation = ACTIVATIONS[out_activation or "identity"]()

    def encode(self, x):
        *hidden, last = self.encoder_layers
        for layer in hidden:
            x = self.activation(layer(x))
        return self.code_activation(last(x))

    def decode(self, z):
        *hidden, last = self.decoder_layers
        for layer in hidden:
            z = self.activation(layer(z))
        return self.out_activation(last(z))

    def forward(self, x):
        code = self.encode(x)
        return {"code": code, "recon": self.decode(code)}

    def layer_pair(self, i):
        """Encoder layer ``i`` and the decoder layer mirroring it, as a :class:`LayerPair`.

        Each side keeps the activation it has in the stack: the pair maps the
        activations before encoder layer ``i`` back to themselves (to the
        stack's output, with its ``out_activation``, for ``i=0``).
        """
        n = len(self.encoder_layers)
        code_activation = self.code_activation if i == n - 1 else self.activation
        output_activation = self.out_activation if i == 0 else self.activation
        encoder, decoder = self.encoder_layers[i], self.decoder_layers[n - 1 - i]
        return LayerPair(encoder, decoder, code_activation, output_activation)
