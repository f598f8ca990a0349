"""20 newsgroups ("bydate" split), read straight from ``20news-bydate.tar.gz``."""

import gzip
import tarfile
import zlib

import numpy as np
from sklearn.datasets._twenty_newsgroups import (
    strip_newsgroup_footer,
    strip_newsgroup_header,
    strip_newsgroup_quoting,
)
from sklearn.utils import check_random_state

from . import _base

# scikit-learn's figshare copy of http://qwone.com/~jason/20Newsgroups/20news-bydate.tar.gz,
# chosen because its sha256 is pinned (see _base._SHA256) and the original host is
# often slow or unreachable.
_URL = "https://ndownloader.figshare.com/files/5975967"
_FOLDERS = {"train": "20news-bydate-train", "test": "20news-bydate-test"}

_DESCR = """\
20 newsgroups, "bydate" version
-------------------------------
18,846 Usenet posts in 20 groups, split by date into 11,314 train and 7,532 test
documents (the split of sklearn.datasets.fetch_20newsgroups), decoded as latin-1.

K. Lang, "NewsWeeder: Learning to filter netnews", ICML 1995.
http://qwone.com/~jason/20Newsgroups/
"""

# scikit-learn's own strippers, so that ``remove`` gives exactly the text
# ``fetch_20newsgroups(remove=...)`` gives. They live in a private module; if it
# moves, the import error below is the place to look.
_STRIP = {
    "headers": strip_newsgroup_header,
    "footers": strip_newsgroup_footer,
    "quotes": strip_newsgroup_quoting,
}


def _read_archive(path, splits):
    """{split: [(group, member name, bytes)]} for the wanted splits."""
    wanted = {_FOLDERS[s]: s for s in splits}
    docs = {s: [] for s in splits}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                parts = member.name.removeprefix("./").split("/")
                if member.isfile() and len(parts) == 3 and parts[0] in wanted:
                    content = tar.extractfile(member).read()
                    docs[wanted[parts[0]]].append((parts[1], "/".join(parts), content))
    except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise _base.corrupt_file_error(path, f"unreadable tar.gz archive ({exc})") from exc
    for split, items in docs.items():
        if not items:
            raise _base.corrupt_file_error(path, f"no {_FOLDERS[split]}/<group>/<id> files")
    return docs


def fetch_20newsgroups_local(
    *,
    data_home=None,
    subset="train",
    categories=None,
    shuffle=True,
    random_state=42,
    remove=(),
    return_X_y=False,
    download_if_missing=True,
):
    """Load the 20 newsgroups texts from a local ``20news-bydate.tar.gz``.

    Like :func:`sklearn.datasets.fetch_20newsgroups` (same split, order, shuffle and
    ``remove`` semantics) but reading ``<data_home>/20newsgroups/20news-bydate.tar.gz``
    in place: nothing is extracted or cached, so a read-only copy works.

    Parameters
    ----------
    data_home : str or path-like, default=None
        See :func:`get_data_home`.  The archive is downloaded there if missing.
    subset : {"train", "test", "all"}, default="train"
        Split by date; "all" is train followed by test (before shuffling).
    categories : list of str, default=None
        Groups to keep (e.g. ``["sci.space", "rec.autos"]``); None keeps all 20.
    shuffle : bool, default=True
        Shuffle the documents, as scikit-learn does by default.
    random_state : int, RandomState instance or None, default=42
        Seed of the shuffle.
    remove : tuple of {"headers", "footers", "quotes"}, default=()
        Parts of each post to strip, to keep classifiers from learning metadata.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    download_if_missing : bool, default=True
        If False, raise OSError when the archive is not found locally.

    Returns
    -------
    data : Bunch
        data : list of str
            The posts, decoded as latin-1.
        target : ndarray of shape (n_samples,), int64
            Index into ``target_names``.
        target_names : list of str
            The kept groups, alphabetically.
        filenames : ndarray of shape (n_samples,), str
            Member names inside the archive, e.g.
            ``"20news-bydate-train/sci.space/60804"``.
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True.

    Examples
    --------
    >>> from sklearn_ae.datasets import fetch_20newsgroups_local
    >>> news = fetch_20newsgroups_local(categories=["sci.space"])  # doctest: +SKIP
    >>> len(news.data), news.target_names  # doctest: +SKIP
    (593, ['sci.space'])
    """
    splits = _base.check_subset(subset)
    unknown = set(remove) - set(_STRIP)
    if isinstance(remove, str) or unknown:
        raise ValueError(f"remove must be a tuple of {tuple(_STRIP)}, got {remove!r}.")
    path = _base.fetch_file(
        "20newsgroups",
        ["20news-bydate.tar.gz"],
        _URL,
        data_home=data_home,
        download_if_missing=download_if_missing,
    )
    docs = _read_archive(path, splits)

    groups = sorted({group for items in docs.values() for group, _, _ in items})
    if categories is not None:
        missing = sorted(set(categories) - set(groups))
        if missing:
            raise ValueError(f"Unknown categories {missing}; available: {groups}.")
        groups = sorted(set(categories))
    index = {group: i for i, group in enumerate(groups)}
    # scikit-learn's load_files order: groups alphabetically, then file names as
    # strings, train before test.
    items = [
        item
        for split in splits
        for item in sorted(docs[split], key=lambda d: (d[0], d[1]))
        if item[0] in index
    ]
    target = np.array([index[group] for group, _, _ in items], dtype=np.int64)
    filenames = np.array([name for _, name, _ in items])
    data = [content.decode("latin-1") for _, _, content in items]
    if shuffle:
        order = np.arange(len(items))
        check_random_state(random_state).shuffle(order)
        data = [data[i] for i in order]
        target, filenames = target[order], filenames[order]
    for part in ("headers", "footers", "quotes"):
        if part in remove:
            data = [_STRIP[part](text) for text in data]
    return _base.make_bunch(
        data,
        target,
        return_X_y=return_X_y,
        target_names=groups,
        filenames=filenames,
        DESCR=_DESCR,
    )
