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
