"""Sphinx configuration: numpydoc API pages and a sphinx-gallery of the examples.

The build works offline: no intersphinx inventories are fetched, and the gallery
examples read the data sets from the local copy the tests use
(``$SKLEARN_AE_TEST_DATA``, else ``../shared/data`` next to the checkout),
exported to them as ``$SKLEARN_AE_DATA`` unless that is already set.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Document this checkout, not whichever copy happens to be installed.
sys.path.insert(0, str(ROOT))
import sklearn_ae  # noqa: E402

_test_data = os.environ.get("SKLEARN_AE_TEST_DATA") or ROOT.parent / "shared" / "data"
if Path(_test_data).is_dir():
    os.environ.setdefault("SKLEARN_AE_DATA", str(_test_data))
# One thread per example: CI builds the docs next to the test suite on two cores.
os.environ.setdefault("OMP_NUM_THREADS", "1")

project = "sklearn-ae"
author = "sklearn-ae developers"
copyright = "2026, sklearn-ae developers"
release = version = sklearn_ae.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
autodoc_default_options = {"member-order": "groupwise"}
default_role = "literal"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
# One parameter per line once a signature is longer than this: StackedAE's
# 1,100 characters on one line made its page scroll sideways.
maximum_signature_line_length = 88
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "**.zip"]

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-ae {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Every examples/plot_*.py runs during the build, whoever adds it.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    # "Examples using X" on each API page.
    "doc_module": ("sklearn_ae",),
    "backreferences_dir": "generated/backreferences",
}
