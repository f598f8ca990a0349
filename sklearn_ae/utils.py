"""Helpers for users and tests of the package."""

import inspect

from ._data import iter_chunks
from ._saving import save

__all__ = ["all_estimators", "iter_chunks", "save"]


def all_estimators():
    """Every public autoencoder class of ``sklearn_ae``, as ``(name, class)`` pairs.

    Discovered from ``sklearn_ae.__all__``, so a new estimator is listed (and
    covered by the common tests) the day it is exported.

    Returns
    -------
    estimators : list of (str, type)
        Sorted by name.
    """
    import sklearn_ae
    from sklearn_ae._base import BaseAutoencoder

    found = []
    for name in sklearn_ae.__all__:
        obj = getattr(sklearn_ae, name)
        if (
            inspect.isclass(obj)
            and issubclass(obj, BaseAutoencoder)
            and not inspect.isabstract(obj)
        ):
            found.append((name, obj))
    return sorted(found)
