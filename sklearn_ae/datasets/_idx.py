"""MNIST and Fashion-MNIST, read from the original IDX files."""

import numpy as np

from . import _base

_IMAGES_MAGIC = 2051  # unsigned bytes, 3 dimensions
_LABELS_MAGIC = 2049  # unsigned bytes, 1 dimension
_PREFIX = {"train": "train", "test": "t10k"}

_FASHION_CLASSES = np.array(
    [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
)

_MNIST_DESCR = """\
MNIST handwritten digits
------------------------
70,000 greyscale 28x28 images of the digits 0-9 (official split: 60,000 train,
10,000 test), read from the original IDX files. ``data`` holds the pixels as
float32 scaled to [0, 1] (raw value / 255); the train mean is 0.1307.

Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-based learning applied to
document recognition", Proc. IEEE 86(11), 1998. http://yann.lecun.com/exdb/mnist/
"""

_FASHION_DESCR = """\
Fashion-MNIST
-------------
70,000 greyscale 28x28 images of Zalando articles in 10 balanced classes
(official split: 60,000 train, 10,000 test), read from the original IDX files.
``data`` holds the pixels as float32 scaled to [0, 1] (raw value / 255); the
train mean is 0.2860. MIT licence, Copyright 2017 Zalando SE.

H. Xiao, K. Rasul, R. Vollgraf, "Fashion-MNIST: a Novel Image Dataset for
Benchmarking Machine Learning Algorithms", arXiv:1708.07747, 2017.
"""


def load_idx(path, magic):
    """Read an IDX file (gzip-wrapped if its name ends in ``.gz``) as a uint8 array.

    The header (magic number, then one big-endian uint32 per dimension) must match
    ``magic`` and the payload size exactly; anything else raises ValueError naming
    the file.
    """
    raw = _base.read_bytes(path)
    if len(raw) < 4 or int.from_bytes(raw[:4], "big") != magic:
        found = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else "nothing"
        raise _base.corrupt_file_error(path, f"wrong IDX magic number {found} (expected {magic})")
    ndim = raw[3]
    offset = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = offset + int(np.prod(shape))
    if len(raw) != expected:
        raise _base.corrupt_file_error(
            path, f"IDX header announces shape {shape} ({expected} bytes), file has {len(raw)}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(shape)


def _fetch_idx(dataset, url, subset, data_home, download_if_missing):
    images, labels = [], []
    for split in _base.check_subset(subset):
        arrays = {}
        for kind, ndim, magic in (("images", 3, _IMAGES_MAGIC), ("labels", 1, _LABELS_MAGIC)):
            name = f"{_PREFIX[split]}-{kind}-idx{ndim}-ubyte"
            # Both the distributed .gz and a decompressed copy (as torchvision leaves
            # behind) are accepted.
            path = _base.fetch_file(
                dataset,
                [name + ".gz", name],
                url + name + ".gz",
                data_home=data_home,
                download_if_missing=download_if_missing,
            )
            arrays[kind] = (path, load_idx(path, magic))
        (img_path, img), (lab_path, lab) = arrays["images"], arrays["labels"]
        if img.shape[0] != lab.shape[0]:
            raise _base.corrupt_file_error(
                img_path, f"{img.shape[0]} images but {lab.shape[0]} labels in {lab_path}"
            )
        images.append(img)
        labels.append(lab)
    images = np.concatenate(images) if len(images) > 1 else images[0]
    images = images.astype(np.float32)
    images /= 255
    target = np.concatenate(labels).astype(np.int64)
    return images, target


def _finish(images, target, target_names, descr, as_frame, return_X_y):
    n, h, w = images.shape
    feature_names = [f"pixel_{i}_{j}" for i in range(h) for j in range(w)]
    return _base.make_bunch(
        images.reshape(n, h * w),
        target,
        return_X_y=return_X_y,
        as_frame=as_frame,
        feature_names=feature_names,
        images=images,
        target_names=target_names,
        DESCR=descr,
    )


_PARAMS_DOC = """
    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding a ``{folder}/`` sub-folder with the four IDX files (see
        :func:`get_data_home`).  Missing files are downloaded there.
    subset : {{"train", "test", "all"}}, default="train"
        Official split to load; "all" is train followed by test.
    as_frame : bool, default=False
        If True, ``data`` is a DataFrame, ``target`` a Series and ``frame`` both.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    download_if_missing : bool, default=True
        If False, raise OSError when a file is not found locally.

    Returns
    -------
    data : Bunch
        data : ndarray of shape (n_samples, 784), float32 in [0, 1]
            Pixels, row-major (``pixel_<row>_<col>``), raw value / 255.
        images : ndarray of shape (n_samples, 28, 28), float32
            The same pixels as images (``data`` is a view of it).
        target : ndarray of shape (n_samples,), int64
            Class index, 0-9.
        target_names : ndarray of shape (10,)
            Class names.
        feature_names : list of str
            Column names of ``data``.
        frame : DataFrame or None
            ``data`` and ``target`` together, with ``as_frame=True``.
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    OSError
        A file is missing and cannot be downloaded.
    ValueError
        A file is truncated or corrupt (the message names it).
"""


def fetch_mnist(
    *,
    data_home=None,
    subset="train",
    as_frame=False,
    return_X_y=False,
    download_if_missing=True,
):
    """Load the MNIST handwritten digits (70,000 28x28 images, 10 classes).
    {params}
    Examples
    --------
    >>> from sklearn_ae.datasets import fetch_mnist
    >>> mnist = fetch_mnist(subset="test")  # doctest: +SKIP
    >>> mnist.data.shape, mnist.images.shape  # doctest: +SKIP
    ((10000, 784), (10000, 28, 28))
    """
    images, target = _fetch_idx("mnist", _base._MNIST, subset, data_home, download_if_missing)
    return _finish(images, target, np.arange(10), _MNIST_DESCR, as_frame, return_X_y)


def fetch_fashion_mnist(
    *,
    data_home=None,
    subset="train",
    as_frame=False,
    return_X_y=False,
    download_if_missing=True,
):
    """Load Fashion-MNIST (70,000 28x28 images of clothing, 10 classes).
    {params}
    Examples
    --------
    >>> from sklearn_ae.datasets import fetch_fashion_mnist
    >>> X, y = fetch_fashion_mnist(subset="test", return_X_y=True)  # doctest: +SKIP
    >>> X.shape, X.dtype  # doctest: +SKIP
    ((10000, 784), dtype('float32'))
    """
    images, target = _fetch_idx(
        "fashion-mnist", _base._FASHION, subset, data_home, download_if_missing
    )
    return _finish(images, target, _FASHION_CLASSES.copy(), _FASHION_DESCR, as_frame, return_X_y)


# One parameter description for both loaders; skipped under ``python -OO``.
for _func, _folder in ((fetch_mnist, "mnist"), (fetch_fashion_mnist, "fashion-mnist")):
    if _func.__doc__:
        _func.__doc__ = _func.__doc__.format(params=_PARAMS_DOC.format(folder=_folder))
