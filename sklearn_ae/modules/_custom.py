"""Your own encoder and decoder as an autoencoder; an autoencoder's encoder on its own."""

import math

from torch import nn

__all__ = ["EncoderDecoder", "EncoderOnly"]


class EncoderDecoder(nn.Module):
    """Any encoder and decoder, as a module the training engine can fit.

    The engine serves flat rows ``(n, n_features)``. The encoder sees them in
    ``input_shape`` (e.g. ``(C, H, W)`` for a convolutional encoder); its
    output, whatever its shape, is flattened into the code, and the decoder
    gets the code back in that shape (``code_shape``), so a feature map can be
    the code itself. The decoder's output is flattened to a row again.

    Parameters
    ----------
    encoder : torch.nn.Module
    decoder : torch.nn.Module
    input_shape : tuple of int
        Shape of one sample as the encoder expects it.
    code_shape : tuple of int
        Shape of one sample of the encoder's output.
    """

    def __init__(self, encoder, decoder, input_shape, code_shape):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.input_shape = tuple(input_shape)
        self.code_shape = tuple(code_shape)
        self.n_components = math.prod(self.code_shape)

    def encode(self, x):
        return self.encoder(x.reshape(-1, *self.input_shape)).flatten(1)

    def decode(self, z):
        return self.decoder(z.reshape(-1, *self.code_shape)).flatten(1)

    def forward(self, x):
        code = self.encode(x)
        return {"code": code, "recon": self.decode(code)}


class EncoderOnly(nn.Module):
    """The ``encode`` half of an autoencoder module, as a module of its own.

    Its forward pass is ``autoencoder.encode(x)``: put it under a head and
    train the pair on labels (:class:`~sklearn_ae.FineTunedClassifier` does,
    or use it in your own ``skorch.NeuralNetClassifier``). The decoder's
    weights come along, because the package's modules keep both halves side
    by side, but they get no gradient and stay as they were.

    Parameters
    ----------
    autoencoder : torch.nn.Module
        Any module with an ``encode(x)`` method (every module of
        :mod:`sklearn_ae.modules`, and a fitted estimator's ``module_``).
    """

    def __init__(self, autoencoder):
        super().__init__()
        self.autoencoder = autoencoder

    def forward(self, x):
        return self.autoencoder.encode(x)
