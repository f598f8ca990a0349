"""The denoising autoencoder: a stacked autoencoder trained on corrupted inputs."""

import types

from ._docstrings import fill_doc
from ._stacked import StackedAE

__all__ = ["DenoisingAE"]


def _with_defaults(init, **defaults):
    """A copy of ``init`` whose keyword-only defaults are updated with ``defaults``.

    scikit-learn reads parameters and their defaults from the ``__init__``
    signature and forbids ``**kwargs``, so a subclass differing only in
    defaults would otherwise restate every parameter by hand.
    """
    unknown = set(defaults) - set(init.__kwdefaults__)
    if unknown:
        raise TypeError(f"{init.__qualname__} has no keyword-only parameters {sorted(unknown)}")
    new = types.FunctionType(
        init.__code__, init.__globals__, init.__name__, init.__defaults__, init.__closure__
    )
    new.__kwdefaults__ = {**init.__kwdefaults__, **defaults}
    new.__doc__ = init.__doc__
    return new


@fill_doc
class DenoisingAE(StackedAE):
    """Denoising autoencoder: reconstruct clean inputs from corrupted ones.

    A :class:`StackedAE` whose defaults train on corrupted copies of the
    input: each training batch has a random quarter of its entries set to
    zero (masking noise) and the loss compares the reconstruction with the
    clean batch. Learning to undo the corruption makes the code capture the
    dependencies between features rather than copy them, and
    :meth:`reconstruct` a denoiser. ``noise="gaussian"`` with ``noise_level``
    around 0.1-0.3 suits data scaled to [0, 1]. ``pretrain="greedy"`` gives
    the stacked denoising autoencoder: every pretraining stage is denoising.

    Parameters
    ----------
    {n_components}
    {dense}
    {loss}
    noise : {{"masking", "gaussian"}}, default="masking"
        Corruption of the input during training only; ``transform`` and
        ``reconstruct`` always take the data as given.
    noise_level : float, default=0.25
        Probability of zeroing each input entry (masking), or standard
        deviation of the Gaussian noise.
    {training}

    Attributes
    ----------
    {attributes}
    {pretrain_attributes}

    See Also
    --------
    StackedAE : The same network trained on clean data.

    References
    ----------
    P. Vincent, H. Larochelle, Y. Bengio and P.-A. Manzagol, "Extracting and
    composing robust features with denoising autoencoders", ICML 2008.

    P. Vincent, H. Larochelle, I. Lajoie, Y. Bengio and P.-A. Manzagol,
    "Stacked denoising autoencoders", JMLR 11, 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_ae import DenoisingAE
    >>> X = load_digits().data / 16
    >>> dae = DenoisingAE(n_components=16, max_iter=20, random_state=0).fit(X)
    >>> noisy = X * (np.random.default_rng(0).random(X.shape) > 0.25)
    >>> dae.reconstruct(noisy).shape
    (1797, 64)
    """

    __init__ = _with_defaults(StackedAE.__init__, noise="masking", noise_level=0.25)
