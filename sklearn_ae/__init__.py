"""Autoencoders that behave exactly like scikit-learn transformers."""

from ._base import BaseAutoencoder
from ._contractive import ContractiveAE
from ._conv import ConvAE
from ._custom import AutoEncoder
from ._denoising import DenoisingAE
from ._finetune import FineTunedClassifier, FineTunedRegressor
from ._linear import LinearAE
from ._recurrent import RecurrentAE
from ._sparse import SparseAE
from ._stacked import StackedAE
from ._variational import VariationalAE

__version__ = "0.1.0"

__all__ = [
    "AutoEncoder",
    "BaseAutoencoder",
    "ContractiveAE",
    "ConvAE",
    "DenoisingAE",
    "FineTunedClassifier",
    "FineTunedRegressor",
    "LinearAE",
    "RecurrentAE",
    "SparseAE",
    "StackedAE",
    "VariationalAE",
    "__version__",
]
