"""Displays in scikit-learn's style: ``from_estimator``, ``from_*`` and ``plot(ax=...)``.

Each display keeps the numbers it plots as attributes and the matplotlib
artists it drew (``ax_``, ``figure_``, ...), like
:class:`sklearn.metrics.PredictionErrorDisplay`. matplotlib is imported only
when something is plotted (``pip install "sklearn-ae[plot]"``).
"""

from ._filters import FilterDisplay
from ._latent import LatentSpaceDisplay
from ._loss import LossCurveDisplay
from ._reconstruction import ReconstructionDisplay
from ._traversal import LatentTraversalDisplay

__all__ = [
    "FilterDisplay",
    "LatentSpaceDisplay",
    "LatentTraversalDisplay",
    "LossCurveDisplay",
    "ReconstructionDisplay",
]
