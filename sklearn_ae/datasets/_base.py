"""Shared plumbing of the dataset loaders: where files live, how they are fetched.

Every loader looks for its files in ``<data_home>/<dataset folder>/`` first and
only downloads what is missing.  Files found locally are checked structurally by
their parser (a local copy may legitimately be a re-compressed but identical
file); downloaded files are checked against :data:`_SHA256` when it has an entry.
"""

import gzip
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path

from sklearn.datasets import get_data_home as _sklearn_get_data_home
from sklearn.utils import Bunch

__all__ = ["get_data_home"]

# A per-socket-operation limit: a dead mirror or a machine without network fails in
# seconds instead of hanging a test run or a notebook.
DOWNLOAD_TIMEOUT = 30

# sha256 of the bytes served at each URL, in one table so that a mirror change is one
# edit.  Only digests published upstream or pinned by other maintained loaders
# (torchvision/TFDS for MNIST, Zalando's README for Fashion-MNIST, scikit-learn for
# the figshare copies) or checked against independent copies (pen-digits) are
# listed: a URL without an entry is downloaded unverified rather than checked
# against a guessed digest.
_MNIST = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_FASHION = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_PENDIGITS = "https://archive.ics.uci.edu/ml/machine-learning-databases/pendigits/"
_SHA256 = {
    _MNIST + "train-images-idx3-ubyte.gz": (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    ),
    _MNIST + "train-labels-idx1-ubyte.gz": (
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
    ),
    _MNIST + "t10k-images-idx3-ubyte.gz": (
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
    ),
    _MNIST + "t10k-labels-idx1-ubyte.gz": (
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
    ),
    _FASHION + "train-images-idx3-ubyte.gz": (
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
    ),
    _FASHION + "train-labels-idx1-ubyte.gz": (
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
    ),
    _FASHION + "t10k-images-idx3-ubyte.gz": (
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"
    ),
    _FASHION + "t10k-labels-idx1-ubyte.gz": (
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
    ),
    # UCI publishes no digest; these are of the plain files, checked against four
    # independent copies (shared/data/SOURCES.md, section 6).
    _PENDIGITS + "pendigits.tra": (
        "e2b9eb9f0d0467e2b64a4816a3420edf2b8043447576f4b84337aba44a9f97d3"
    ),
    _PENDIGITS + "pendigits.tes": (
        "8bd03229c5c5291fefe43e45465dd948d2645bf23328b9d993e0b777666b2015"
    ),
    # Olivetti faces and 20 newsgroups: scikit-learn's figshare copies.
    "https://ndownloader.figshare.com/files/5976027": (
        "b612fb967f2dc77c9c62d3e1266e0c73d5fca46a4b8906c18e454d41af987794"
    ),
    "https://ndownloader.figshare.com/files/5975967": (
        "8f1b2514ca22a5ade8fbb9cfa5727df95fa587f4c87b786e15c759fa66d95610"
    ),
}

_SUBSETS = ("train", "test", "all")


def get_data_home(data_home=None):
    """Return the folder the dataset loaders read from and download into.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Explicit folder.  When None, the environment variable ``SKLEARN_AE_DATA``
        is used if set, else :func:`sklearn.datasets.get_data_home` (which honours
        ``SCIKIT_LEARN_DATA`` and defaults to ``~/scikit_learn_data``).

    Returns
    -------
    data_home : pathlib.Path
        The folder.  Each dataset lives in its own sub-folder of it (``mnist``,
        ``fashion-mnist``, ``olivetti-faces``, ``20newsgroups``, ``gunpoint``...).

    Examples
    --------
    >>> from sklearn_ae.datasets import get_data_home
    >>> str(get_data_home("/tmp/my_data"))
    '/tmp/my_data'
    """
    if data_home is None:
        data_home = os.environ.get("SKLEARN_AE_DATA") or None
    if data_home is None:
        return Path(_sklearn_get_data_home())
    return Path(data_home).expanduser()


def check_subset(subset):
    if subset not in _SUBSETS:
        raise ValueError(f"subset must be one of {_SUBSETS}, got {subset!r}.")
    return ("train", "test") if subset == "all" else (subset,)


def find_file(folder, names):
    """First of ``names`` present in ``folder``; case-insensitive as a fallback."""
    folder = Path(folder)
    for name in names:
        if (folder / name).is_file():
            return folder / name
    if not folder.is_dir():
        return None
    # Archive file names mix case ("GunPoint_TRAIN.ts"); users and file systems don't
    # always preserve it.
    by_lower = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    for name in names:
        if name.lower() in by_lower:
            return by_lower[name.lower()]
    return None


def fetch_file(dataset, names, url, *, data_home=None, download_if_missing=True):
    """Path of a dataset file, downloading ``url`` to ``names[0]`` if none is present.

    ``names`` lists acceptable local file names (for example the gzip-wrapped and the
    plain variant); the download is stored under the first one.
    """
    folder = get_data_home(data_home) / dataset
    found = find_file(folder, names)
    if found is not None:
        return found
    dest = folder / names[0]
    if not download_if_missing:
        raise OSError(
            f"{dest} not found and download_if_missing=False. Put the file "
            f"{names[0]} (from {url}) there, or pass download_if_missing=True."
        )
    download(url, dest)
    return dest


def download(url, dest, *, timeout=DOWNLOAD_TIMEOUT):
    """Download ``url`` to ``dest`` atomically, checking :data:`_SHA256` if listed.

    Raises OSError, naming the file to provide by hand, when the download fails.
    """
    dest = Path(dest)
    expected = _SHA256.get(url)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        # A temporary name in the same folder, renamed at the end: an interrupted
        # download never leaves a truncated file that a later call would trust.
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    except OSError as exc:
        raise OSError(f"Cannot write {dest} ({exc}); pass a writable data_home.") from exc
    digest = hashlib.sha256()
    try:
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as r:
                while chunk := r.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise OSError(
                f"Could not download {url} ({exc}). If this machine is offline, fetch "
                f"that file elsewhere and put it at {dest}."
            ) from exc
        if expected is not None and digest.hexdigest() != expected:
            raise OSError(
                f"Checksum mismatch for {url}: sha256 {digest.hexdigest()}, expected "
                f"{expected}. The mirror may be serving a different file; nothing was "
                f"saved to {dest}."
            )
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return dest


def corrupt_file_error(path, problem):
    return ValueError(
        f"{path}: {problem}. The file is truncated or corrupt; delete it and call the "
        f"loader again to re-download it (or replace it with a good copy)."
    )


def read_bytes(path):
    """File contents, gunzipped when the name ends in ``.gz``."""
    path = Path(path)
    if not path.name.lower().endswith(".gz"):
        return path.read_bytes()
    try:
        return gzip.decompress(path.read_bytes())
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise corrupt_file_error(path, f"not a valid gzip file ({exc})") from exc


def make_bunch(data, target, *, return_X_y=False, as_frame=None, feature_names=None, **extra):
    """Assemble the sklearn-style return value (Bunch, or ``(data, target)``).

    With ``as_frame=True``, ``data`` becomes a DataFrame, ``target`` a Series named
    "target" and ``frame`` holds both, as in :func:`sklearn.datasets.load_iris`;
    ``as_frame=False`` sets ``frame=None`` and ``None`` (loaders without the option)
    leaves the key out.
    """
    frame = None
    if as_frame:
        import pandas as pd

        data = pd.DataFrame(data, columns=feature_names)
        target = pd.Series(target, name="target")
        frame = pd.concat([data, target], axis=1)
    if return_X_y:
        return data, target
    if feature_names is not None:
        extra["feature_names"] = feature_names
    if as_frame is not None:
        extra["frame"] = frame
    return Bunch(data=data, target=target, **extra)
