"""Your own encoder and decoder as an autoencoder; an autoencoder's encoder on its own."""

import math

import torch
from torch import nn

__all__ = ["EncoderDecoder", "EncoderOnly"]


class EncoderDecoder(nn.Module):
    """Any encoder and decoder, as a module the training engine can fit.

    The engine serves flat rows ``(n, n_features)``. The encoder sees them in
    ``input_shape`` (e.g. ``(C, H, W)`` for a convolutional encoder); its
    output, whatever its shape, is flattened into the code, and the decoder
    gets the code back in that shape (``code_shape``), so a feature map can be
    the code itself. The decoder's output is flattened to a row again.

    The encoder may return a tuple ``(code, *extras)``: the extras (e.g.
    max-pooling indices for ``nn.MaxUnpool2d``) reach the decoder as
    ``decoder(code, *extras)``, while ``encode`` and the ``"code"`` output
    are the code alone.

    Parameters
    ----------
    encoder : torch.nn.Module
    decoder : torch.nn.Module
    input_shape : tuple of int
        Shape of one sample as the encoder expects it.
    code_shape : tuple of int
        Shape of one sample of the encoder's output (of its first tensor).
    n_extras : int, default=0
        Tensors the encoder returns after the code, for the decoder.
    """

    def __init__(self, encoder, decoder, input_shape, code_shape, n_extras=0):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.input_shape = tuple(input_shape)
        self.code_shape = tuple(code_shape)
        self.n_components = math.prod(self.code_shape)
        self.n_extras = n_extras

    # How many leading tensors of the encoder's output are codes (a
    # variational encoder's mean and log-variance: two).
    _n_codes = 1

    def _encode_all(self, x):
        """The encoder's code tensors, flattened, and its extras."""
        out = self.encoder(x.reshape(-1, *self.input_shape))
        if isinstance(out, torch.Tensor):
            out = (out,)
        return [c.flatten(1) for c in out[: self._n_codes]], tuple(out[self._n_codes :])

    def encode(self, x):
        return self._encode_all(x)[0][0]

    def decode(self, z, *extras):
        if self.n_extras and not extras:
            raise ValueError(
                f"This decoder also takes the {self.n_extras} tensor(s) its encoder returns "
                "beside the code, so it cannot decode codes alone (inverse_transform, "
                "sample): use reconstruct(X) to encode and decode in one pass."
            )
        return self.decoder(z.reshape(-1, *self.code_shape), *extras).flatten(1)

    def forward(self, x):
        (code,), extras = self._encode_all(x)
        return {"code": code, "recon": self.decode(code, *extras)}


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
