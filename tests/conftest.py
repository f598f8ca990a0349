import os
import warnings
from pathlib import Path

import pytest
import torch

# Under pytest-xdist each worker shares the cores with the others: two torch
# threads per worker on a 2-core machine oversubscribe it (tens of times slower).
if os.environ.get("PYTEST_XDIST_WORKER"):
    torch.set_num_threads(1)

# Tests read the staged copies of real data sets and never download:
# $SKLEARN_AE_TEST_DATA, else ../shared/data next to this checkout.
SHARED_DATA = Path(
    os.environ.get("SKLEARN_AE_TEST_DATA")
    or Path(__file__).resolve().parents[2] / "shared" / "data"
)
NO_DATA_REASON = (
    f"needs the staged real data sets (mnist/, gunpoint/, 20newsgroups/, ...), which are "
    f"not at {SHARED_DATA}; set SKLEARN_AE_TEST_DATA to the folder that holds them"
)


@pytest.fixture(scope="session")
def shared_data():
    if not SHARED_DATA.is_dir():
        pytest.skip(NO_DATA_REASON)
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _no_convergence_noise():
    # Short test fits stop at max_iter by design.
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        yield


def pytest_collection_modifyitems(config, items):
    """Start the longest tests first: the documentation build (about a minute,
    the gallery included) and the ``slow`` ones (fresh processes importing torch).

    Under ``pytest -n 2`` the other worker keeps printing progress meanwhile,
    and the run does not end on one worker finishing a long test alone. The
    other checks of the built pages go last: xdist hands out tests round robin,
    and a second worker given one early would wait for the same build.
    """

    def order(item):
        if "built_docs" in getattr(item, "fixturenames", ()):
            return 0 if item.name == "test_docs_build_without_warnings" else 3
        return 1 if item.get_closest_marker("slow") else 2

    items.sort(key=order)  # stable: the usual order within each group
