"""Olivetti faces (AT&T/ORL, 64x64), read from Sam Roweis' ``olivettifaces.mat``."""

import numpy as np
from scipy.io import loadmat
from sklearn.utils import check_random_state

from . import _base

# scikit-learn's copy of https://cs.nyu.edu/~roweis/data/olivettifaces.mat; its sha256
# is in _base._SHA256.
_URL = "https://ndownloader.figshare.com/files/5976027"

_DESCR = """\
Olivetti faces
--------------
400 greyscale 64x64 face images, 10 each of 40 subjects (AT&T Laboratories
Cambridge, 1992-1994; 64x64 version by S. Roweis), in the layout of
sklearn.datasets.fetch_olivetti_faces: float32 in [0, 1], target = subject.

F. Samaria, A. Harter, "Parameterisation of a stochastic model for human face
identification", 2nd IEEE Workshop on Applications of Computer Vision, 1994.
"""


def fetch_olivetti(
    *,
    data_home=None,
    shuffle=False,
    random_state=0,
    return_X_y=False,
    download_if_missing=True,
):
    """Load the Olivetti faces (400 images of 64x64 pixels, 40 subjects).

    Same arrays as :func:`sklearn.datasets.fetch_olivetti_faces`, read from
    ``<data_home>/olivetti-faces/olivettifaces.mat`` without a pickle cache.

    Parameters
    ----------
    data_home : str or path-like, default=None
        See :func:`get_data_home`.
    shuffle : bool, default=False
        If True, shuffle the faces (images and targets together).
    random_state : int, RandomState instance or None, default=0
        Seed of the shuffle.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    download_if_missing : bool, default=True
        If False, raise OSError when the file is not found locally.

    Returns
    -------
    data : Bunch
        data : ndarray of shape (400, 4096), float32
            Row-major flattened images, scaled to [0, 1] by the global min/max.
        images : ndarray of shape (400, 64, 64), float32
            The faces upright (``data`` is a view of it).
        target : ndarray of shape (400,), int64
            Subject, 0-39 (``index // 10`` before shuffling).
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True.

    Examples
    --------
    >>> from sklearn_ae.datasets import fetch_olivetti
    >>> faces = fetch_olivetti()  # doctest: +SKIP
    >>> faces.images.shape  # doctest: +SKIP
    (400, 64, 64)
    """
    path = _base.fetch_file(
        "olivetti-faces",
        ["olivettifaces.mat"],
        _URL,
        data_home=data_home,
        download_if_missing=download_if_missing,
    )
    try:
        faces = loadmat(path)["faces"]
    except Exception as exc:  # scipy raises several unrelated types for bad files
        raise _base.corrupt_file_error(path, f"cannot read the 'faces' matrix ({exc!r})") from exc
    if faces.shape != (4096, 400):
        raise _base.corrupt_file_error(path, f"'faces' has shape {faces.shape}, not (4096, 400)")
    # Columns are images stored column-major; this is scikit-learn's exact recipe,
    # so the arrays match fetch_olivetti_faces bit for bit.
    faces = faces.T.astype(np.float32)
    faces -= faces.min()
    faces /= faces.max()
    images = faces.reshape((400, 64, 64)).transpose(0, 2, 1)
    target = np.arange(400, dtype=np.int64) // 10
    if shuffle:
        order = check_random_state(random_state).permutation(len(images))
        images, target = images[order], target[order]
    images = np.ascontiguousarray(images)
    return _base.make_bunch(
        images.reshape(len(images), -1),
        target,
        return_X_y=return_X_y,
        images=images,
        DESCR=_DESCR,
    )
