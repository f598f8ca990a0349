"""Convolutional autoencoder for images, as a scikit-learn transformer."""

import math
import numbers

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseAutoencoder, check_positive_ints, estimator_parameters
from ._docstrings import fill_doc
from .modules import ACTIVATIONS, ConvAutoencoder

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


@fill_doc
@estimator_parameters
class ConvAE(ImageLayoutMixin, BaseAutoencoder):
    """Convolutional autoencoder for images (Masci et al., 2011).

    The encoder stacks ``conv -> activation -> 2x2 max-pooling`` blocks with
    ``channels`` feature maps and ends in a dense code of ``n_components``;
    the decoder mirrors it with nearest-neighbour upsampling to the exact
    sizes the encoder saw (so 28 -> 14 -> 7 -> 3 comes back as 3 -> 7 -> 14
    -> 28) followed by convolutions.

    Images may be passed as flat rows (``image_shape`` says how to read
    them), as ``(n_samples, H, W)`` or as ``(n_samples, C, H, W)`` arrays;
    :meth:`inverse_transform` and :meth:`reconstruct` return the layout the
    model was fitted on.

    Parameters
    ----------
    {n_components}
    image_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(C, H, W)`` of the images behind flat rows. None
        reads 3-d and 4-d input as it comes, flat rows of a square number of
        features as square single-channel images, and any other row as a
        1 x ``n_features`` image.
    channels : tuple of int, default=(32, 64)
        Feature maps of each encoder block; each block halves height and
        width (axes of size 1 are left alone).
    kernel_size : int, default=3
        Side of the square convolution kernels ("same" padding).
    activation : {{"relu", "tanh", "logistic", "identity", "elu", "gelu"}}, default="relu"
        Nonlinearity after each hidden convolution and the decoder's input layer.
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
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "image_shape": ["array-like", None],
        "channels": ["array-like"],
        "kernel_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
    }

    image_shape: tuple | None = None
    channels: tuple = (32, 64)
    kernel_size: int = 3
    activation: str = "relu"

    def _build_module(self, n_features):
        return ConvAutoencoder(
            self.image_shape_,
            self.n_components,
            channels=check_positive_ints(self.channels, "channels"),
            kernel_size=self.kernel_size,
            activation=self.activation,
        )

    def _activation_width(self, n_features):
        # The first block's feature maps, at full resolution, dominate.
        widest = max(check_positive_ints(self.channels, "channels"), default=1)
        return max(n_features * widest, self.n_components)
