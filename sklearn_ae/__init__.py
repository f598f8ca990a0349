"""Autoencoders that behave exactly like scikit-learn transformers."""

from ._base import BaseAutoencoder
from ._linear import LinearAE
from ._stacked import StackedAE

__version__ = "0.1.0"

__all__ = ["BaseAutoencoder", "LinearAE", "StackedAE", "__version__"]
