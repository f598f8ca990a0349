"""Convolutional autoencoder for images, as a scikit-learn transformer."""

import math
import numbers

import torch
from sklearn.utils._param_validation import Interval, StrOptions
from torch import nn

from ._base import BaseAutoencoder, check_positive_ints, estimator_parameters
from ._docstrings import fill_doc
from .modules import ACTIVATIONS, SAMPLINGS, ConvAutoencoder, ConvEncoder

__all__ = ["ConvAE"]


class ImageLayoutMixin:
    """Accept images as flat rows, (n, H, W) or (n, C, H, W); return the fitted layout.

    Needs an ``image_shape`` parameter. Sets ``image_shape_`` ``(C, H, W)``
    and ``input_shape_`` (one sample's shape as passed to ``fit``).
    """

    def _resolve_image_shape(self, n_features, sample_shape):
        if self.image_shape is not None:
            shape = check_positive_ints(self.image_shape, "image_shape")
            if len(shape) not in (2, 3):
                raise ValueError(
                    f"image_shape must be (H, W) or (C, H, W), got {self.image_shape!r}."
                )
            shape = shape if len(shape) == 3 else (1, *shape)
            if math.prod(shape) != n_features:
                raise ValueError(
                    f"image_shape={self.image_shape!r} holds {math.prod(shape)} values per "
                    f"image, but X has {n_features} features per sample."
                )
            if len(sample_shape) > 1 and math.prod(sample_shape) == n_features:
                if tuple(sample_shape) not in (shape, shape[1:]):
                    raise ValueError(
                        f"X holds images of shape {tuple(sample_shape)}, which contradicts "
                        f"image_shape={self.image_shape!r}; pass image_shape=None."
                    )
            return shape
        if len(sample_shape) == 3:
            return tuple(sample_shape)
        if len(sample_shape) == 2:
            return (1, *sample_shape)
        side = math.isqrt(n_features)
        if side * side == n_features:
            return (1, side, side)
        # Not square: a single row of pixels, convolved along its width.
        return (1, 1, n_features)

    def _validate_input(self, X, reset):
        X, sample_shape = self._validate_nd(X, reset, max_ndim=4, accept_sparse="csr")
        if reset:
            self.image_shape_ = self._resolve_image_shape(X.shape[1], sample_shape)
            self.input_shape_ = tuple(sample_shape)
        elif len(sample_shape) > 1 and tuple(sample_shape) not in (
            self.image_shape_,
            self.image_shape_[1:] if self.image_shape_[0] == 1 else None,
        ):
            raise ValueError(
                f"X holds images of shape {tuple(sample_shape)}, but {type(self).__name__} "
                f"was fitted on images of shape {self.image_shape_} (C, H, W)."
            )
        return X

    def _to_output(self, X_flat):
        return X_flat.reshape(X_flat.shape[0], *self.input_shape_)


def conv_flops_per_sample(module, n_features):
    """Floating-point operations of one forward pass of one flat sample through ``module``.

    Two per multiply-add of every convolution, transposed convolution and
    linear layer, counted from the shapes a zero sample produces (in eval
    mode, so that no random number is drawn).
    """
    macs = 0

    def count(layer, inputs, output):
        nonlocal macs
        if isinstance(layer, nn.ConvTranspose2d):
            # Each input value is spread over out_channels * kernel outputs.
            per_value = layer.out_channels // layer.groups * math.prod(layer.kernel_size)
            macs += inputs[0].numel() * per_value
        elif isinstance(layer, nn.Conv2d):
            per_value = layer.in_channels // layer.groups * math.prod(layer.kernel_size)
            macs += output.numel() * per_value
        else:
            macs += layer.in_features * layer.out_features

    kinds = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)
    hooks = [m.register_forward_hook(count) for m in module.modules() if isinstance(m, kinds)]
    training = module.training
    try:
        param = next(module.parameters())
        module.eval()
        with torch.no_grad():
            module(torch.zeros(1, n_features, dtype=param.dtype, device=param.device))
    finally:
        module.train(training)
        for hook in hooks:
            hook.remove()
    return 2 * macs


class ConvArchitectureMixin:
    """The convolutional architecture parameters ConvAE and the conv VariationalAE share.

    Needs ``image_shape_`` (see :class:`ImageLayoutMixin`), ``channels``,
    ``kernel_size``, ``activation``, ``sampling``, ``bottleneck``,
    ``out_activation`` and ``loss``.
    """

    _conv_parameter_constraints = {
        "image_shape": ["array-like", None],
        "channels": ["array-like"],
        "kernel_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "sampling": [StrOptions(set(SAMPLINGS))],
        "bottleneck": [StrOptions({"dense", "conv"})],
        "out_activation": [StrOptions(set(ACTIVATIONS))],
    }

    def _conv_encoder(self, last_activation=None):
        """The encoder the parameters describe, for the fitted ``image_shape_``."""
        return ConvEncoder(
            self.image_shape_,
            check_positive_ints(self.channels, "channels"),
            int(self.kernel_size),
            self.activation,
            self.sampling,
            last_activation=last_activation,
        )

    def _flops_per_sample(self, module):
        # Convolutions reuse each weight at every position of the feature map:
        # 2 x the weight count (the dense estimate) is 14x too low at defaults.
        return conv_flops_per_sample(module, math.prod(self.image_shape_))

    def _activation_width(self, n_features):
        # The first block's feature maps, at full resolution, dominate.
        widest = max(check_positive_ints(self.channels, "channels"), default=1)
        return max(n_features * widest, self.n_components)


@fill_doc
@estimator_parameters
class ConvAE(ConvArchitectureMixin, ImageLayoutMixin, BaseAutoencoder):
    """Convolutional autoencoder for images (Masci et al., 2011).

    Each encoder block halves height and width with ``channels`` feature
    maps: by a stride-2 convolution (``sampling="stride"``, the default) or
    by 2x2 max-pooling after a convolution (``sampling="pool"``). The code is
    a dense layer of ``n_components`` on the last feature map
    (``bottleneck="dense"``) or that feature map itself
    (``bottleneck="conv"``). The decoder mirrors the encoder with transposed
    convolutions, or nearest-neighbour upsampling followed by convolutions,
    to the exact sizes the encoder saw (28 -> 14 -> 7 comes back as
    7 -> 14 -> 28, and odd sizes such as 7 -> 4 or 7 -> 3 come back as 7).

    Images may be passed as flat rows (``image_shape`` says how to read
    them), as ``(n_samples, H, W)`` or as ``(n_samples, C, H, W)`` arrays;
    :meth:`inverse_transform` and :meth:`reconstruct` return the layout the
    model was fitted on.

    Parameters
    ----------
    {n_components}
        With ``bottleneck="conv"`` it must equal the size of the last
        feature map (the error message gives it).
    image_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(C, H, W)`` of the images behind flat rows. None
        reads 3-d and 4-d input as it comes, flat rows of a square number of
        features as square single-channel images, and any other row as a
        1 x ``n_features`` image.
    channels : tuple of int, default=(32, 64)
        Feature maps of each encoder block; each block halves height and
        width (axes of size 1 are left alone).
    kernel_size : int, default=3
        Side of the square convolution kernels.
    sampling : {{"stride", "pool"}}, default="stride"
        How the blocks change resolution. ``"stride"``: stride-2
        convolutions (``torch.nn.Conv2d(stride=2)``) in the encoder and
        transposed convolutions (``torch.nn.ConvTranspose2d``) in the
        decoder; each convolution runs at the smaller resolution, which is
        several times cheaper. ``"pool"``: "same" convolutions followed by
        ``torch.nn.MaxPool2d(2)`` in the encoder, ``torch.nn.Upsample``
        (nearest) followed by "same" convolutions in the decoder, as in the
        Keras tutorial.
    bottleneck : {{"dense", "conv"}}, default="dense"
        ``"dense"``: a linear layer maps the flattened last feature map to
        the code of ``n_components`` (and back in the decoder). ``"conv"``:
        no dense layer, the last feature map is the code, so
        ``n_components = channels[-1] * H' * W'`` (e.g. ``channels=(16, 8)``
        on 28 x 28 images gives 8 x 7 x 7 = 392); codes keep their spatial
        layout, flattened channel by channel.
    activation : {{"relu", "tanh", "logistic", "identity", "elu", "gelu"}}, default="relu"
        Nonlinearity after each hidden convolution and the decoder's input layer.
    code_activation : str, default="identity"
        Nonlinearity on the code (a key of ``activation``'s table): after the
        dense code layer, or, with ``bottleneck="conv"``, after the last
        encoder convolution in place of ``activation`` (``"relu"`` gives the
        Keras tutorial's non-negative feature-map code).
    out_activation : str, default="identity"
        Nonlinearity on the reconstruction. ``"logistic"`` (a sigmoid) keeps
        reconstructions in (0, 1) for pixels scaled to [0, 1], also with
        ``loss="mse"``; ``"identity"`` suits any scaling. With ``loss="bce"``
        the output is always a sigmoid computed from logits, so only
        ``"identity"`` and ``"logistic"`` (the same model) are allowed.
    {loss}
    {noise}
    {noise_level}
    {training}

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(C, H, W)`` of the images the model was fitted on.
    input_shape_ : tuple of int
        Shape of one sample as passed to ``fit``: ``(C * H * W,)``, ``(H, W)``
        or ``(C, H, W)``; reconstructions come back in this layout.
    {attributes}

    See Also
    --------
    StackedAE : The fully connected autoencoder.
    VariationalAE : With ``architecture="conv"``, the same encoder and decoder
        as a variational autoencoder.

    Notes
    -----
    ``max_iter`` defaults to 500, but training stops on the stopping rule
    (``tol="auto"``), as for every estimator: on digits after 40 to 250
    epochs, on MNIST subsets after fewer (more steps per epoch); see
    ``benchmarks/RESULTS_defaults.md``.

    At the defaults on 10,000 MNIST images, strided convolutions train about
    7x faster per epoch than pooling and upsampling (which convolve at full
    resolution) and reach a lower test error in the same number of epochs;
    see ``benchmarks/RESULTS_conv.md``.

    References
    ----------
    J. Masci, U. Meier, D. Ciresan and J. Schmidhuber, "Stacked convolutional
    auto-encoders for hierarchical feature extraction", ICANN 2011.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_ae import ConvAE
    >>> X = load_digits().data / 16  # 8x8 images as rows of 64 pixels
    >>> ae = ConvAE(n_components=8, channels=(8, 16), max_iter=5, random_state=0)
    >>> ae.fit_transform(X).shape
    (1797, 8)
    >>> ae.reconstruct(X[:3].reshape(3, 8, 8)).shape
    (3, 64)

    The last feature map as the code: 8 x 8 -> 4 x 4 -> 2 x 2 with 4 maps.

    >>> conv_code = ConvAE(n_components=16, channels=(8, 4), bottleneck="conv",
    ...                    code_activation="relu", max_iter=5, random_state=0)
    >>> conv_code.fit_transform(X).shape
    (1797, 16)
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        **ConvArchitectureMixin._conv_parameter_constraints,
        "code_activation": [StrOptions(set(ACTIVATIONS))],
    }

    image_shape: tuple | None = None
    channels: tuple = (32, 64)
    kernel_size: int = 3
    sampling: str = "stride"
    bottleneck: str = "dense"
    activation: str = "relu"
    code_activation: str = "identity"
    out_activation: str = "identity"
    # Small image sets make few steps an epoch: 1,000 digits with a 32-d
    # code still gained over 1 % per 10 epochs at epoch 200. Larger sets
    # stop far earlier on the stopping rule (MNIST subsets: 30-50 epochs).
    max_iter: int = 500
    # The stopping rule counts epochs: in batches of 200, 300 Olivetti faces
    # make two steps an epoch, and it ended the fit after 47 epochs at 3.77x
    # PCA's test error (k=32); in batches of 60, 1.55x after 116; of 32,
    # 1.19x. On 1,000 rows, 10 steps an epoch against 5 (defaults matrix,
    # k = 2 / 8 / 32): colour patches 1.94 / 1.34 / 1.77 -> 1.06 / 1.12 / 1.32x,
    # Fashion-MNIST 0.86 / 0.92 / 0.98 -> 0.80 / 0.83 / 0.90x, digits k=32
    # 1.16 -> 1.09x; MNIST k=32 0.68 -> 0.70x, the one row that lost. At 20
    # steps MNIST k=32 lost more (0.73x).
    _auto_min_steps = 10

    def _build_module(self, n_features):
        return ConvAutoencoder(
            self.image_shape_,
            self.n_components,
            channels=check_positive_ints(self.channels, "channels"),
            kernel_size=int(self.kernel_size),
            activation=self.activation,
            sampling=self.sampling,
            bottleneck=self.bottleneck,
            code_activation=self.code_activation,
            out_activation=self._module_out_activation(),
        )
