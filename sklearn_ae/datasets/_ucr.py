"""UCR/UEA time-series classification archives (``.ts`` and old UCR ``.txt``)."""

import contextlib
import re
import zipfile
from pathlib import Path

import numpy as np

from . import _base

# aeon's download location; each zip holds <Name>_TRAIN.ts and <Name>_TEST.ts (and,
# for univariate problems, the .txt/.arff variants).  No published checksums.
_UCR_URL = "https://timeseriesclassification.com/aeon-toolkit/{name}.zip"
_EXTENSIONS = (".ts", ".ts.gz", ".txt", ".txt.gz")

_CITATION = """
UCR archive: H. A. Dau, E. Keogh et al., "The UCR Time Series Archive",
arXiv:1810.07758, 2018. UEA archive: A. Bagnall et al., "The UEA multivariate
time series classification archive, 2018", arXiv:1811.00075.
https://timeseriesclassification.com
"""


def _labels(values):
    """Labels as int64 when they are all integers (``"1"``, ``"1.0000000e+00"``), else str."""
    try:
        numbers = np.array(values, dtype=np.float64)
    except ValueError:
        return np.array(values, dtype=str)
    if np.all(np.isfinite(numbers)) and np.all(numbers == np.round(numbers)):
        return numbers.astype(np.int64)
    return numbers


def _pad(series, n_channels):
    """Stack ragged cases into (n, max_len, n_channels), NaN-padding short ones."""
    length = max((len(dim) for case in series for dim in case), default=0)
    out = np.full((len(series), length, n_channels), np.nan)
    for i, case in enumerate(series):
        for c, dim in enumerate(case):
            out[i, : len(dim), c] = dim
    return out


def _result(data, target, target_names, descr, metadata, return_X_y):
    return _base.make_bunch(
        data,
        target,
        return_X_y=return_X_y,
        target_names=target_names,
        DESCR=descr,
        metadata=metadata,
    )


def load_ts_file(path, *, return_X_y=False):
    """Load a time-series file in the sktime/aeon ``.ts`` format.

    ``#`` lines are the description, ``@key value`` lines the metadata, then after
    ``@data`` one case per line: dimensions separated by ``:``, values by ``,``, and
    the class label (or regression target) last.  ``?`` marks a missing value.

    Parameters
    ----------
    path : str or path-like
        The file; gzip-wrapped if its name ends in ``.gz``.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        data : ndarray of shape (n_samples, n_timesteps) or \
(n_samples, n_timesteps, n_channels), float64
            Univariate files give 2-d data, multivariate ones 3-d.  Missing values
            and the tails of series shorter than the longest are NaN.
        target : ndarray of shape (n_samples,) or None
            Class labels, int64 when they are all integers, else str; floats for a
            regression target; None when the file has no labels.
        target_names : ndarray or None
            The sorted declared class labels.
        metadata : dict
            The ``@`` header, keys lower-cased.
        DESCR : str
            Description of the data set.
            The ``#`` comment lines.

    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    ValueError
        The file is not valid ``.ts`` or contradicts its own header.

    Examples
    --------
    >>> from sklearn_ae.datasets import load_ts_file
    >>> X, y = load_ts_file("GunPoint_TRAIN.ts", return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (50, 150)
    """
    path = Path(path)
    lines = _base.read_bytes(path).decode("utf-8", errors="replace").splitlines()
    comments, meta, start = [], {}, None
    for i, line in enumerate(lines):
        line = line.strip()
        if line.startswith("#"):
            comments.append(line[1:].strip())
        elif line.lower() == "@data":
            start = i + 1
            break
        elif line.startswith("@"):
            key, _, value = line[1:].partition(" ")
            meta[key.lower()] = value.strip()
        elif line:
            raise ValueError(f"{path}: unexpected line {i + 1} before @data: {line[:60]!r}")
    if start is None:
        raise ValueError(f"{path}: no @data line; not a .ts file, or truncated.")
    if meta.get("timestamps", "false").lower() == "true":
        raise ValueError(f"{path}: time-stamped .ts files are not supported.")

    class_label = meta.get("classlabel", "false").split()
    labelled = class_label[:1] == ["true"]
    declared = class_label[1:] if labelled else None
    has_target = labelled or meta.get("targetlabel", "false").lower() == "true"
    n_channels = int(meta["dimensions"]) if "dimensions" in meta else None

    series, labels = [], []
    for number, line in enumerate(lines[start:], start + 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(":")
        if has_target:
            labels.append(parts.pop().strip())
        if n_channels is None:
            n_channels = len(parts)
        if len(parts) != n_channels:
            raise ValueError(
                f"{path}, line {number}: {len(parts)} dimensions, expected {n_channels}"
            )
        try:
            series.append(
                [np.array(p.replace("?", "nan").split(","), dtype=np.float64) for p in parts]
            )
        except ValueError as exc:
            raise ValueError(f"{path}, line {number}: {exc}") from None
    if not series:
        raise ValueError(f"{path}: no cases after @data.")
    if declared and not set(labels) <= set(declared):
        raise ValueError(f"{path}: labels {sorted(set(labels) - set(declared))} not declared.")
    lengths = {len(dim) for case in series for dim in case}
    if meta.get("equallength", "").lower() == "true" and len(lengths) > 1:
        raise ValueError(f"{path}: @equalLength true but series lengths are {sorted(lengths)}.")
    if "serieslength" in meta and meta.get("equallength", "").lower() == "true":
        if lengths != {int(meta["serieslength"])}:
            raise ValueError(f"{path}: @seriesLength {meta['serieslength']}, found {lengths}.")

    data = _pad(series, n_channels)
    if n_channels == 1:
        data = data[:, :, 0]
    target = target_names = None
    if labelled:
        target = _labels(labels)
        target_names = np.unique(_labels(declared) if declared else target)
    elif has_target:
        target = np.array(labels, dtype=np.float64)
    return _result(data, target, target_names, "\n".join(comments), meta, return_X_y)


def load_ucr_txt(path, *, return_X_y=False):
    """Load a file in the old UCR text format: one series per line, label first.

    Values are separated by whitespace, commas or tabs (the 2018 ``.tsv`` layout is
    accepted too); ``NaN`` marks missing values and rows of different lengths are
    NaN-padded.

    Parameters
    ----------
    path : str or path-like
        The file; gzip-wrapped if its name ends in ``.gz``.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        data : ndarray of shape (n_samples, n_timesteps), float64
            The series, one per row.
        target : ndarray of shape (n_samples,)
            int64 when all labels are integers, else float64.
        target_names : ndarray
            Sorted distinct labels.
        metadata : dict
            Empty (the format has no header).
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True.

    Examples
    --------
    >>> from sklearn_ae.datasets import load_ucr_txt
    >>> X, y = load_ucr_txt("ECG5000_TRAIN.txt", return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (500, 140)
    """
    path = Path(path)
    rows = []
    text = _base.read_bytes(path).decode("ascii", errors="replace")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(np.array(re.split(r"[\s,]+", line.strip()), dtype=np.float64))
        except ValueError as exc:
            raise ValueError(f"{path}, line {number}: {exc}") from None
    if not rows:
        raise ValueError(f"{path}: no data rows.")
    target = _labels([row[0] for row in rows])
    data = _pad([[row[1:]] for row in rows], 1)[:, :, 0]
    descr = f"{path.name}: UCR time series, old text format.\n"
    return _result(data, target, np.unique(target), descr, {}, return_X_y)


def _local_file(folder, name, split):
    return _base.find_file(folder, [f"{name}_{split.upper()}{ext}" for ext in _EXTENSIONS])


def _download_zip(name, folder, data_home, download_if_missing):
    """Fetch ``<name>.zip`` and unpack its TRAIN/TEST files (plain names only) into folder."""
    url = _UCR_URL.format(name=name)
    zip_path = _base.fetch_file(
        folder.name,
        [f"{name}.zip"],
        url,
        data_home=data_home,
        download_if_missing=download_if_missing,
    )
    wanted = {f"{name}_{s}{e}".lower() for s in ("TRAIN", "TEST") for e in (".ts", ".txt")}
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for info in archive.infolist():
                base = Path(info.filename).name
                # Only the base name is used, so a hostile archive cannot write elsewhere.
                if base.lower() in wanted:
                    (folder / base).write_bytes(archive.read(info))
    except zipfile.BadZipFile as exc:
        raise OSError(
            f"{url} did not give a zip archive ({exc}); is {name!r} a UCR/UEA dataset name "
            f"(case-sensitive, e.g. 'GunPoint')?"
        ) from exc
    finally:
        # The zip is only a vehicle; a read-only copy put there by hand is left alone.
        with contextlib.suppress(OSError):
            zip_path.unlink()


def fetch_ucr(name, *, data_home=None, subset="train", return_X_y=False, download_if_missing=True):
    """Load a dataset of the UCR/UEA time-series classification archive.

    Files are looked for in ``<data_home>/<name lower-cased>/`` as
    ``<name>_TRAIN`` / ``<name>_TEST`` with extension ``.ts``, ``.ts.gz``, ``.txt``
    or ``.txt.gz`` (in that order of preference); when missing, ``<name>.zip`` is
    downloaded from timeseriesclassification.com and unpacked there.

    Parameters
    ----------
    name : str
        Dataset name as in the archive, e.g. "GunPoint", "ItalyPowerDemand",
        "ECG5000", "BasicMotions" (case-sensitive only for downloading).
    data_home : str or path-like, default=None
        See :func:`get_data_home`.
    subset : {"train", "test", "all"}, default="train"
        Archive split; "all" is train followed by test (NaN-padded to a common
        length if they differ).
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    download_if_missing : bool, default=True
        If False, raise OSError when a file is not found locally.

    Returns
    -------
    data : Bunch
        data : ndarray of shape (n_samples, n_timesteps) or \
(n_samples, n_timesteps, n_channels), float64
            2-d for univariate problems, 3-d for multivariate ones; NaN marks
            missing values and padding.
        target : ndarray of shape (n_samples,)
            Labels as in the file: int64 when they are all integers, else str.
        target_names : ndarray
            Sorted class labels.
        metadata : dict
            The ``.ts`` header of the first file read (empty for ``.txt``).
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True.

    Examples
    --------
    >>> from sklearn_ae.datasets import fetch_ucr
    >>> X, y = fetch_ucr("GunPoint", return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (50, 150)
    """
    folder = _base.get_data_home(data_home) / name.lower()
    parts = []
    for split in _base.check_subset(subset):
        path = _local_file(folder, name, split)
        if path is None:
            if not download_if_missing and not _base.find_file(folder, [f"{name}.zip"]):
                raise OSError(
                    f"No {name}_{split.upper()} file ({', '.join(_EXTENSIONS)}) in {folder} "
                    f"and download_if_missing=False. Put it there, or the archive "
                    f"{_UCR_URL.format(name=name)}."
                )
            _download_zip(name, folder, data_home, download_if_missing)
            path = _local_file(folder, name, split)
            if path is None:
                raise OSError(f"The archive for {name!r} has no {split.upper()} file.")
        is_ts = path.name.lower().endswith((".ts", ".ts.gz"))
        parts.append((load_ts_file if is_ts else load_ucr_txt)(path))
    first = parts[0]
    data, target = first.data, first.target
    if len(parts) == 2:
        length = max(p.data.shape[1] for p in parts)
        padded = []
        for p in parts:
            width = [(0, 0)] * p.data.ndim
            width[1] = (0, length - p.data.shape[1])
            padded.append(np.pad(p.data, width, constant_values=np.nan))
        data = np.concatenate(padded)
        target = np.concatenate([p.target for p in parts])
    descr = f"{name} (UCR/UEA archive)\n\n{first.DESCR}\n{_CITATION}"
    target_names = None
    if all(p.target_names is not None for p in parts):
        target_names = np.unique(np.concatenate([p.target_names for p in parts]))
    return _base.make_bunch(
        data,
        target,
        return_X_y=return_X_y,
        target_names=target_names,
        metadata=first.metadata,
        DESCR=descr,
    )
