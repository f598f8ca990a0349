"""Convolutional encoder and decoder for images given as flat rows.

The engine serves 2-d batches (n, C*H*W); :class:`ConvEncoder` views them as
(n, C, H, W) and :class:`ConvDecoder` flattens its output back, so a
convolutional autoencoder trains on exactly what a dense one does.
"""

from torch import nn

from ._dense import ACTIVATIONS

__all__ = ["ConvAutoencoder", "ConvDecoder", "ConvEncoder"]


def _pool_size(h, w):
    # Halve only the axes that can be halved: a 1 x W "image" (a plain row of
    # features) is pooled along its width only.
    return (2 if h >= 2 else 1, 2 if w >= 2 else 1)


class ConvEncoder(nn.Module):
    """Blocks of ``conv -> activation -> 2x2 max-pooling``, then flattened.

    Odd sizes are floored by the pooling (28 -> 14 -> 7 -> 3); the size each
    block saw before pooling is kept in ``shapes`` so that
    :class:`ConvDecoder` can restore it exactly.

    Parameters
    ----------
    image_shape : tuple of int
        ``(C, H, W)`` of one input image.
    channels : sequence of int
        Output channels of each block; empty for no convolution at all.
    kernel_size : int, default=3
        Side of the square kernels ("same" padding, so only pooling shrinks).
    activation : str, default="relu"
        Key of :data:`~sklearn_ae.modules.ACTIVATIONS`.

    Attributes
    ----------
    shapes : list of (int, int)
        ``(H, W)`` before each block's pooling.
    out_shape : tuple of int
        ``(C, H, W)`` of the last block's output.
    out_features : int
        Length of the flattened output.
    """

    def __init__(self, image_shape, channels, kernel_size=3, activation="relu"):
        super().__init__()
        c, h, w = self.image_shape = tuple(image_shape)
        self.channels = tuple(channels)
        self.shapes = []
        layers = []
        for out in self.channels:
            self.shapes.append((h, w))
            pool = _pool_size(h, w)
            layers += [
                nn.Conv2d(c, out, kernel_size, padding="same"),
                ACTIVATIONS[activation](),
                nn.MaxPool2d(pool),
            ]
            c, h, w = out, h // pool[0], w // pool[1]
        self.layers = nn.Sequential(*layers)
        self.out_shape = (c, h, w)
        self.out_features = c * h * w

    def forward(self, x):
        return self.layers(x.reshape(-1, *self.image_shape)).flatten(1)


class ConvDecoder(nn.Module):
    """Mirror of a :class:`ConvEncoder`, from a code of ``n_components``.

    A linear layer (and activation) reshapes the code to the encoder's output
    shape; each block then upsamples (nearest) to the exact size the matching
    encoder block saw and convolves back to that block's input channels. The
    last convolution has no activation: it yields the raw flat output.

    Parameters
    ----------
    n_components : int
    encoder : ConvEncoder
        The encoder to mirror (only its shapes are read).
    kernel_size : int, default=3
    activation : str, default="relu"
    """

    def __init__(self, n_components, encoder, kernel_size=3, activation="relu"):
        super().__init__()
        self.project = nn.Linear(n_components, encoder.out_features)
        self.activation = ACTIVATIONS[activation]()
        self.in_shape = encoder.out_shape
        sizes = [encoder.image_shape[0], *encoder.channels]
        layers = []
        for i in reversed(range(len(encoder.channels))):
            layers += [
                nn.Upsample(size=encoder.shapes[i], mode="nearest"),
                nn.Conv2d(sizes[i + 1], sizes[i], kernel_size, padding="same"),
            ]
            if i > 0:
                layers.append(ACTIVATIONS[activation]())
        self.layers = nn.Sequential(*layers)

    def forward(self, z):
        h = self.project(z)
        if not len(self.layers):
            return h  # no convolution: the projection is the output layer
        h = self.activation(h).reshape(-1, *self.in_shape)
        return self.layers(h).flatten(1)


class ConvAutoencoder(nn.Module):
    """Convolutional autoencoder with a dense code (Masci et al., 2011).

    ``flat image -> ConvEncoder -> linear code -> ConvDecoder -> flat image``.

    Parameters
    ----------
    image_shape : tuple of int
        ``(C, H, W)``; inputs are rows of ``C * H * W`` values.
    n_components : int
    channels : sequence of int, default=(32, 64)
    kernel_size : int, default=3
    activation : str, default="relu"
    """

    def __init__(
        self, image_shape, n_components, channels=(32, 64), kernel_size=3, activation="relu"
    ):
        super().__init__()
        self.encoder = ConvEncoder(image_shape, channels, kernel_size, activation)
        self.code = nn.Linear(self.encoder.out_features, n_components)
        self.decoder = ConvDecoder(n_components, self.encoder, kernel_size, activation)

    def encode(self, x):
        return self.code(self.encoder(x))

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        code = self.encode(x)
        return {"code": code, "recon": self.decode(code)}
