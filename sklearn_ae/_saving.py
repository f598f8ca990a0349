"""Writing a model file whole or not at all (no torch import: ``utils`` stays light)."""

import contextlib
import os
import tempfile

__all__ = ["save"]


def save(estimator, file):
    """Save ``estimator`` to the skops file ``file``, whole or not at all.

    The file is written beside ``file`` under a temporary name and renamed
    over it once complete: a save that fails (a full disk, an interrupt)
    leaves no partial file, and an earlier file at ``file`` stays as it was.
    Load it with ``skops.io.load(file, trusted=[...])`` (see
    ``skops.io.get_untrusted_types``).

    Parameters
    ----------
    estimator : object
        A fitted (or unfitted) estimator of this package, or any object
        ``skops.io.dump`` can save (a pipeline holding one).
    file : str or path-like
        Where to save it, conventionally with the suffix ``.skops``.

    Examples
    --------
    >>> import skops.io as sio  # doctest: +SKIP
    >>> from sklearn_ae.utils import save
    >>> save(ae, "ae.skops")  # doctest: +SKIP
    >>> ae = sio.load("ae.skops", trusted=["sklearn_ae._stacked.StackedAE"])  # doctest: +SKIP
    """
    try:
        import skops.io as sio
    except ImportError as exc:
        raise ImportError(
            'save writes skops files: install skops (pip install "sklearn-ae[skops]").'
        ) from exc
    path = os.path.abspath(os.fspath(file))
    fd, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=os.path.dirname(path)
    )
    try:
        with os.fdopen(fd, "wb") as f:
            with without_neighbor_index(estimator):
                sio.dump(estimator, f)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _estimators(estimator):
    """``estimator`` and, for a Pipeline or similar, its steps."""
    yield estimator
    for _, step in getattr(estimator, "steps", ()):
        yield from _estimators(step)


@contextlib.contextmanager
def without_neighbor_index(estimator):
    """Hide each model's openTSNE index (``neighbor_map_``) for the block, e.g. a skops dump.

    skops stores plain data and the classes it is told to trust; openTSNE's
    neighbour index (an Annoy or pynndescent object) is neither. A model that
    places new rows with it (``neighbor_transform="opentsne"``) cannot be saved
    without it; one that uses its encoder can, and keeps ``embedding_``.
    """
    hidden = []
    for est in _estimators(estimator):
        if "neighbor_map_" not in vars(est):
            continue
        if est.neighbor_transform == "opentsne":
            raise ValueError(
                f"{type(est).__name__} places new rows with openTSNE's index of its training "
                "rows (neighbor_transform='opentsne'), which a skops file cannot hold. Save it "
                "with pickle or joblib, or set neighbor_transform='encoder' to save the "
                "encoder alone."
            )
        hidden.append((est, vars(est).pop("neighbor_map_")))
    try:
        yield
    finally:
        for est, index in hidden:
            est.neighbor_map_ = index
