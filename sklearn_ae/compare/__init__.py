"""PCA vs t-SNE vs autoencoders: fit, measure on held-out rows, report.

The library side of ``sklearn-ae compare``::

    from sklearn_ae.compare import run_comparison, write_report
    result = run_comparison("digits", methods=["pca", "StackedAE"], dims=[2, 16])
    write_report(result, "compare_out")
"""

from ._data import DATASETS, ComparisonData, load_comparison_data
from ._methods import (
    AE_DEFAULTS,
    DEFAULT_METHODS,
    METHODS,
    MethodSpec,
    ae_settings,
    available_methods,
)
from ._report import format_table, save_figures, save_maps_figure, to_markdown, write_report
from ._runner import ComparisonResult, run_comparison
from ._targets import TARGETS

__all__ = [
    "AE_DEFAULTS",
    "DATASETS",
    "DEFAULT_METHODS",
    "METHODS",
    "TARGETS",
    "ComparisonData",
    "ComparisonResult",
    "MethodSpec",
    "ae_settings",
    "available_methods",
    "format_table",
    "load_comparison_data",
    "run_comparison",
    "save_figures",
    "save_maps_figure",
    "to_markdown",
    "write_report",
]
