"""Dataset loaders and generators used by the sklearn-ae examples and benchmarks.

Loaders read from ``<data_home>/<dataset>/`` (see :func:`get_data_home`) and
download only what is missing, with a timeout and, where the upstream checksum is
known, sha256 verification.
"""

from ._base import get_data_home
from ._idx import fetch_fashion_mnist, fetch_mnist
from ._newsgroups import fetch_20newsgroups_local
from ._olivetti import fetch_olivetti
from ._pendigits import fetch_pendigits
from ._samples_generator import make_curved_plane
from ._ucr import fetch_ucr, load_ts_file, load_ucr_txt

__all__ = [
    "fetch_20newsgroups_local",
    "fetch_fashion_mnist",
    "fetch_mnist",
    "fetch_olivetti",
    "fetch_pendigits",
    "fetch_ucr",
    "get_data_home",
    "load_ts_file",
    "load_ucr_txt",
    "make_curved_plane",
]
