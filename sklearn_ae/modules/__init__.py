"""Pure torch modules behind the estimators.

They know nothing of scikit-learn, devices or seeds: each maps a batch to a
dict holding at least ``"code"`` and ``"recon"`` (the raw decoder output), and
offers ``encode`` and ``decode``. Use them directly in your own torch code.
"""

from ._conv import SAMPLINGS, ConvAutoencoder, ConvDecoder, ConvEncoder
from ._custom import EncoderDecoder, EncoderOnly
from ._dense import ACTIVATIONS, DenseAutoencoder, LayerPair, TiedLinear
from ._recurrent import CELLS, RecurrentAutoencoder
from ._variational import (
    CustomVariationalAutoencoder,
    VariationalAutoencoder,
    gaussian_kl,
    mlp,
)

__all__ = [
    "ACTIVATIONS",
    "CELLS",
    "SAMPLINGS",
    "ConvAutoencoder",
    "ConvDecoder",
    "ConvEncoder",
    "CustomVariationalAutoencoder",
    "DenseAutoencoder",
    "EncoderDecoder",
    "EncoderOnly",
    "LayerPair",
    "RecurrentAutoencoder",
    "TiedLinear",
    "VariationalAutoencoder",
    "gaussian_kl",
    "mlp",
]
