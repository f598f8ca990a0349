"""Autoencoders that behave exactly like scikit-learn transformers."""

# Exports are resolved on first use (PEP 562): ``sklearn-ae --help`` and
# ``--version`` must answer without importing torch, which takes seconds.
import importlib
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("sklearn-ae")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+unknown"

_EXPORTS = {
    "AutoEncoder": "._custom",
    "BaseAutoencoder": "._base",
    "ContractiveAE": "._contractive",
    "ConvAE": "._conv",
    "DenoisingAE": "._denoising",
    "FineTunedClassifier": "._finetune",
    "FineTunedRegressor": "._finetune",
    "data_parallel": "._distributed",
    "LinearAE": "._linear",
    "RecurrentAE": "._recurrent",
    "SparseAE": "._sparse",
    "StackedAE": "._stacked",
    "VariationalAE": "._variational",
    "FilterDisplay": "._plot",
    "LatentSpaceDisplay": "._plot",
    "LatentTraversalDisplay": "._plot",
    "LossCurveDisplay": "._plot",
    "ReconstructionDisplay": "._plot",
}

__all__ = [*sorted(_EXPORTS), "__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
