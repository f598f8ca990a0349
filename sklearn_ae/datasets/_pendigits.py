"""UCI "Pen-Based Recognition of Handwritten Digits", read from the original text files."""

import numpy as np

from . import _base

_SUFFIX = {"train": "tra", "test": "tes"}
_N_FEATURES = 16

_DESCR = """\
Pen-Based Recognition of Handwritten Digits (UCI "pendigits")
-------------------------------------------------------------
10,992 handwritten digits 0-9 by 44 writers, each the 8 (x, y) pen positions of
the resampled trajectory, scaled to integers 0..100 (16 features). The official
split is writer-disjoint: 7,494 rows by 30 writers in train, 3,498 rows by 14
other writers in test. ``data`` holds the integers as float64, unscaled.
Licence: CC BY 4.0 (UCI).

E. Alpaydin, F. Alimoglu, "Pen-Based Recognition of Handwritten Digits" [Dataset],
UCI Machine Learning Repository, 1996, https://doi.org/10.24432/C5MG6K.
"""


def _parse(path):
    raw = _base.read_bytes(path)
    try:
        table = np.loadtxt(raw.decode("ascii").splitlines(), delimiter=",", dtype=np.int64)
    except ValueError as exc:
        raise _base.corrupt_file_error(path, f"not comma-separated integers ({exc})") from exc
    table = np.atleast_2d(table)
    if table.shape[1] != _N_FEATURES + 1 or len(table) == 0:
        raise _base.corrupt_file_error(path, f"table of shape {table.shape}, expected (n, 17)")
    features, labels = table[:, :_N_FEATURES], table[:, _N_FEATURES]
    if features.min() < 0 or features.max() > 100 or labels.min() < 0 or labels.max() > 9:
        raise _base.corrupt_file_error(path, "features outside 0..100 or labels outside 0..9")
    return features, labels


def fetch_pendigits(
    *,
    data_home=None,
    subset="train",
    return_X_y=False,
    download_if_missing=True,
):
    """Load the UCI pen-based handwritten digits (16 integer features, 10 classes).

    Reads ``<data_home>/pendigits/pendigits.tra`` and ``pendigits.tes`` (each
    gzip-wrapped as ``.gz`` or plain) and downloads only what is missing from the
    UCI repository, checking its sha256.

    Parameters
    ----------
    data_home : str or path-like, default=None
        See :func:`get_data_home`.
    subset : {"train", "test", "all"}, default="train"
        The official split (7,494 / 3,498 rows, written by different people), or
        both, train rows first.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    download_if_missing : bool, default=True
        If False, raise OSError when a file is not found locally.

    Returns
    -------
    data : Bunch
        data : ndarray of shape (n_samples, 16), float64
            The 8 resampled (x, y) pen positions as given, integers 0..100.
        target : ndarray of shape (n_samples,), int64
            The digit, 0-9.
        feature_names : list of str
            ``x1, y1, ..., x8, y8``.
        target_names : ndarray of shape (10,)
            The digits 0-9.
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True.

    Examples
    --------
    >>> from sklearn_ae.datasets import fetch_pendigits
    >>> X, y = fetch_pendigits(subset="test", return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (3498, 16)
    """
    features, labels = [], []
    for split in _base.check_subset(subset):
        name = f"pendigits.{_SUFFIX[split]}"
        # UCI serves the plain file; the gzip-wrapped copy is what the shared data
        # holds, with the same bytes inside.
        path = _base.fetch_file(
            "pendigits",
            [name, name + ".gz"],
            _base._PENDIGITS + name,
            data_home=data_home,
            download_if_missing=download_if_missing,
        )
        X, y = _parse(path)
        features.append(X)
        labels.append(y)
    return _base.make_bunch(
        np.concatenate(features).astype(np.float64),
        np.concatenate(labels),
        return_X_y=return_X_y,
        feature_names=[f"{axis}{i}" for i in range(1, 9) for axis in "xy"],
        target_names=np.arange(10),
        DESCR=_DESCR,
    )
