"""Convolutional encoder and decoder for images given as flat rows.

The engine serves 2-d batches (n, C*H*W); :class:`ConvEncoder` views them as
(n, C, H, W) and :class:`ConvDecoder` flattens its output back, so a
convolutional autoencoder trains on exactly what a dense one does.

Each encoder block halves height and width, either by 2x2 max-pooling after a
"same" convolution (``sampling="pool"``) or by the convolution's own stride
(``sampling="stride"``); the decoder mirrors it with nearest upsampling and a
convolution, or with a transposed convolution. Axes of size 1 are never
halved, so a 1 x W "image" (a plain row of features) is convolved along W.
"""

import torch
from torch import nn

from ._dense import ACTIVATIONS

__all__ = [
    "SAMPLINGS",
    "ConvAutoencoder",
    "ConvDecoder",
    "ConvEncoder",
    "FeatureMapHead",
    "check_feature_map_code",
]

SAMPLINGS = ("pool", "stride")


def _pool_size(h, w):
    # Halve only the axes that can be halved.
    return (2 if h >= 2 else 1, 2 if w >= 2 else 1)


def _strided_geometry(size, kernel_size):
    """``(kernel, stride, padding, output_padding)`` of one axis of a strided block.

    An axis of at least 2 is convolved with stride 2 and padding
    ``(k - 1) // 2``, which gives ``ceil(size / 2)`` outputs for odd kernels
    and ``floor(size / 2)`` for even ones; ``output_padding`` (0 or 1) makes
    the transposed convolution return exactly ``size``. An axis of 1 gets a
    kernel of 1: a wider one would only ever see padding.
    """
    if size < 2:
        return 1, 1, 0, 0
    k, p = kernel_size, (kernel_size - 1) // 2
    out = (size + 2 * p - k) // 2 + 1
    return k, 2, p, size - ((out - 1) * 2 - 2 * p + k)


def _channels_last(module):
    # Kernels stored channels-last make the CPU (oneDNN) convolutions run in
    # their native layout instead of converting every batch: 1.1-1.7x faster
    # per epoch on MNIST (benchmarks/RESULTS_conv.md), same results.
    module.to(memory_format=torch.channels_last)


def check_feature_map_code(encoder, n_components):
    """Raise a ValueError unless ``encoder``'s last feature map has ``n_components`` values."""
    if not encoder.channels:
        raise ValueError(
            "bottleneck='conv' makes the last feature map the code, but channels=() has no "
            "convolution: give channels, or use bottleneck='dense'."
        )
    if n_components != encoder.out_features:
        c, h, w = encoder.out_shape
        raise ValueError(
            f"bottleneck='conv' makes the last feature map the code: channels[-1] x height x "
            f"width = {c} x {h} x {w} = {encoder.out_features} values for images of shape "
            f"{encoder.image_shape}, so n_components must be {encoder.out_features}, not "
            f"{n_components}. Set n_components={encoder.out_features}, change channels (the "
            "last entry scales the code), or use bottleneck='dense'."
        )


class ConvEncoder(nn.Module):
    """Blocks of ``conv -> activation`` that halve the image, then flattened.

    With ``sampling="pool"`` each block is a "same" convolution, the
    activation and 2x2 max-pooling (28 -> 14 -> 7 -> 3: odd sizes are
    floored); with ``sampling="stride"`` a stride-2 convolution and the
    activation (28 -> 14 -> 7 -> 4: odd sizes are rounded up for odd
    kernels). The size each block saw is kept in ``shapes`` so that
    :class:`ConvDecoder` can restore it exactly.

    Parameters
    ----------
    image_shape : tuple of int
        ``(C, H, W)`` of one input image.
    channels : sequence of int
        Output channels of each block; empty for no convolution at all.
    kernel_size : int, default=3
        Side of the square kernels.
    activation : str, default="relu"
        Key of :data:`~sklearn_ae.modules.ACTIVATIONS`.
    sampling : {"pool", "stride"}, default="pool"
        How each block halves the image.
    last_activation : str or None, default=None
        Activation of the last block instead of ``activation`` (the code's
        activation when the feature map is the code).

    Attributes
    ----------
    shapes : list of (int, int)
        ``(H, W)`` at the input of each block.
    out_shape : tuple of int
        ``(C, H, W)`` of the last block's output.
    out_features : int
        Length of the flattened output.
    """

    def __init__(
        self,
        image_shape,
        channels,
        kernel_size=3,
        activation="relu",
        sampling="pool",
        last_activation=None,
    ):
        super().__init__()
        if sampling not in SAMPLINGS:
            raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}.")
        c, h, w = self.image_shape = tuple(image_shape)
        self.channels = tuple(channels)
        self.kernel_size = kernel_size
        self.sampling = sampling
        self.shapes = []
        layers = []
        for i, out in enumerate(self.channels):
            self.shapes.append((h, w))
            last = i == len(self.channels) - 1
            act = ACTIVATIONS[(last_activation if last else None) or activation]()
            if sampling == "pool":
                pool = _pool_size(h, w)
                layers += [nn.Conv2d(c, out, kernel_size, padding="same"), act, nn.MaxPool2d(pool)]
                h, w = h // pool[0], w // pool[1]
            else:
                (kh, sh, ph, _), (kw, sw, pw, _) = (
                    _strided_geometry(h, kernel_size),
                    _strided_geometry(w, kernel_size),
                )
                layers += [nn.Conv2d(c, out, (kh, kw), (sh, sw), (ph, pw)), act]
                h, w = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
            c = out
        self.layers = nn.Sequential(*layers)
        self.out_shape = (c, h, w)
        self.out_features = c * h * w
        _channels_last(self)

    def forward(self, x):
        return self.layers(x.reshape(-1, *self.image_shape)).flatten(1)


class ConvDecoder(nn.Module):
    """Mirror of a :class:`ConvEncoder`, from a code of ``n_components``.

    A linear layer (and activation) reshapes the code to the encoder's output
    shape, or, with ``project=False``, the code *is* that feature map
    (``n_components`` must then equal ``encoder.out_features``). Each block
    then restores the exact size the matching encoder block saw: nearest
    upsampling and a "same" convolution after pooling, a transposed
    convolution after a strided one. The last block has ``out_activation``
    (identity by default: the raw flat output).

    Parameters
    ----------
    n_components : int
    encoder : ConvEncoder
        The encoder to mirror (only its shapes and settings are read).
    kernel_size : int, default=3
    activation : str, default="relu"
    project : bool, default=True
        Start with a linear layer from the code to the feature map.
    out_activation : str or None, default=None
        Activation of the output (None: identity).
    """

    def __init__(
        self,
        n_components,
        encoder,
        kernel_size=3,
        activation="relu",
        project=True,
        out_activation=None,
    ):
        super().__init__()
        if not project:
            check_feature_map_code(encoder, n_components)
        self.project = nn.Linear(n_components, encoder.out_features) if project else None
        self.activation = ACTIVATIONS[activation]()
        self.in_shape = encoder.out_shape
        self.out_activation = ACTIVATIONS[out_activation or "identity"]()
        sizes = [encoder.image_shape[0], *encoder.channels]
        layers = []
        for i in reversed(range(len(encoder.channels))):
            h, w = encoder.shapes[i]
            if encoder.sampling == "pool":
                layers += [
                    nn.Upsample(size=(h, w), mode="nearest"),
                    nn.Conv2d(sizes[i + 1], sizes[i], kernel_size, padding="same"),
                ]
            else:
                (kh, sh, ph, oh), (kw, sw, pw, ow) = (
                    _strided_geometry(h, kernel_size),
                    _strided_geometry(w, kernel_size),
                )
                layers.append(
                    nn.ConvTranspose2d(
                        sizes[i + 1], sizes[i], (kh, kw), (sh, sw), (ph, pw), (oh, ow)
                    )
                )
            if i > 0:
                layers.append(ACTIVATIONS[activation]())
        self.layers = nn.Sequential(*layers)
        _channels_last(self)

    def forward(self, z):
        h = z
        if self.project is not None:
            h = self.project(z)
            if not len(self.layers):
                return self.out_activation(h)  # no convolution: the projection is the output
            h = self.activation(h)
        h = self.layers(h.reshape(-1, *self.in_shape))
        return self.out_activation(h.flatten(1))


class FeatureMapHead(nn.Module):
    """A 1x1 convolution on flattened feature maps of ``shape`` ``(C, H, W)``, flattened back.

    Maps a feature map to another of the same shape position by position: the
    mean or log-variance head of a variational autoencoder whose code is the
    feature map itself.
    """

    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)
        self.conv = nn.Conv2d(self.shape[0], self.shape[0], 1)

    def forward(self, h):
        return self.conv(h.reshape(-1, *self.shape)).flatten(1)


class ConvAutoencoder(nn.Module):
    """Convolutional autoencoder (Masci et al., 2011).

    ``flat image -> ConvEncoder -> code -> ConvDecoder -> flat image``. With
    ``bottleneck="dense"`` the code is a linear layer of ``n_components`` on
    the flattened feature map; with ``bottleneck="conv"`` the last feature map
    itself is the code (no dense layer), so ``n_components`` must equal its
    size, ``channels[-1] * H' * W'``.

    Parameters
    ----------
    image_shape : tuple of int
        ``(C, H, W)``; inputs are rows of ``C * H * W`` values.
    n_components : int
    channels : sequence of int, default=(32, 64)
    kernel_size : int, default=3
    activation : str, default="relu"
    sampling : {"pool", "stride"}, default="pool"
        Max-pooling and upsampling, or strided and transposed convolutions.
    bottleneck : {"dense", "conv"}, default="dense"
    code_activation : str or None, default=None
        Activation of the code (None: identity).
    out_activation : str or None, default=None
        Activation of the reconstruction (None: identity).
    """

    def __init__(
        self,
        image_shape,
        n_components,
        channels=(32, 64),
        kernel_size=3,
        activation="relu",
        sampling="pool",
        bottleneck="dense",
        code_activation=None,
        out_activation=None,
    ):
        super().__init__()
        if bottleneck not in ("dense", "conv"):
            raise ValueError(f"bottleneck must be 'dense' or 'conv', got {bottleneck!r}.")
        conv_code = bottleneck == "conv"
        self.encoder = ConvEncoder(
            image_shape,
            channels,
            kernel_size,
            activation,
            sampling,
            last_activation=(code_activation or "identity") if conv_code else None,
        )
        # No dense layer when the feature map is the code (its activation is
        # then the encoder's last one).
        self.code = None if conv_code else nn.Linear(self.encoder.out_features, n_components)
        self.code_activation = ACTIVATIONS[(not conv_code and code_activation) or "identity"]()
        self.decoder = ConvDecoder(
            n_components,
            self.encoder,
            kernel_size,
            activation,
            project=not conv_code,
            out_activation=out_activation,
        )

    def encode(self, x):
        h = self.encoder(x)
        return h if self.code is None else self.code_activation(self.code(h))

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        code = self.encode(x)
        return {"code": code, "recon": self.decode(code)}
