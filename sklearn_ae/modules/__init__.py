"""Pure torch modules behind the estimators.

They know nothing of scikit-learn, devices or seeds: each maps a batch to a
dict holding at least ``"code"`` and ``"recon"`` (the raw decoder output), and
offers ``encode`` and ``decode``. Use them directly in your own torch code.
"""

from ._dense import ACTIVATIONS, DenseAutoencoder, TiedLinear

__all__ = ["ACTIVATIONS", "DenseAutoencoder", "TiedLinear"]
