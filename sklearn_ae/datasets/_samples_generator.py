"""Synthetic data generators."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state


def make_curved_plane(n_samples=1000, *, noise=0.05, curvature=1.0, random_state=None):
    """Generate points on a gently curved 2-d sheet embedded in 3-d.

    The intrinsic coordinates ``t = (u, v)`` are drawn uniformly from
    ``[-1, 1] x [-1, 1]`` and mapped to ``(u, v, curvature * u**2)``: a sheet bent
    along one axis like a page.  Its best linear 2-d approximation is the
    ``(x, y)`` plane, which PCA -- and a linear autoencoder -- recover; the bend is
    what only a nonlinear model can capture.  ``curvature=0`` gives a flat plane.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of points.
    noise : float, default=0.05
        Standard deviation of the isotropic Gaussian noise added to every
        coordinate.
    curvature : float, default=1.0
        Height of the bend: ``z = curvature * u**2`` before noise.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible output.  The intrinsic coordinates are drawn before
        the noise, so ``t`` does not depend on ``noise`` for a given seed.

    Returns
    -------
    X : ndarray of shape (n_samples, 3)
        The points.
    t : ndarray of shape (n_samples, 2)
        Intrinsic coordinates ``(u, v)`` of each point; without noise
        ``X == [u, v, curvature * u**2]``.

    Examples
    --------
    >>> from sklearn_ae.datasets import make_curved_plane
    >>> X, t = make_curved_plane(n_samples=5, noise=0.0, random_state=0)
    >>> X.shape, t.shape
    ((5, 3), (5, 2))
    >>> bool((X[:, 2] == t[:, 0] ** 2).all())
    True
    """
    if not isinstance(n_samples, Integral) or isinstance(n_samples, bool) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    if not isinstance(noise, Real) or not 0 <= noise < np.inf:
        raise ValueError(f"noise must be a non-negative number, got {noise!r}.")
    if not isinstance(curvature, Real) or not np.isfinite(curvature):
        raise ValueError(f"curvature must be a finite number, got {curvature!r}.")
    generator = check_random_state(random_state)
    t = generator.uniform(-1.0, 1.0, size=(n_samples, 2))
    u, v = t[:, 0], t[:, 1]
    X = np.column_stack([u, v, curvature * u**2])
    # Drawn even when noise == 0 so that the random stream, and hence later draws
    # from a shared RandomState, do not depend on the noise level.
    X += noise * generator.standard_normal(size=X.shape)
    return X, t
