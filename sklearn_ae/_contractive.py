"""The contractive autoencoder: codes that change little when the input does."""

import numbers

from sklearn.utils._param_validation import Interval

from ._base import estimator_parameters
from ._docstrings import fill_doc
from ._penalties import ContractivePenalty
from ._stacked import StackedAE

__all__ = ["ContractiveAE"]


@fill_doc
@estimator_parameters
class ContractiveAE(StackedAE):
    """Contractive autoencoder: penalise the encoder's sensitivity to its input.

    A :class:`StackedAE` whose loss adds ``contractive_weight`` times the
    squared Frobenius norm of the encoder's Jacobian ``d code / d x`` at each
    training sample (mean over the batch), relative to the code's spread
    over the batch (see :class:`~sklearn_ae._penalties.ContractivePenalty`).
    The code becomes locally invariant to most directions of input space and
    keeps its sensitivity for the directions along which the data vary,
    which reconstruction needs. Relative, because the plain norm can be
    lowered for free by shrinking the code while the decoder grows to match:
    from the PCA start the code then shrinks without contracting.

    The norm is computed exactly and in closed form, batched: ``sum_j
    s_j'^2 ||W_j||^2`` for one layer, the product of ``diag(s') W`` factors
    from the code side for a deeper encoder (see
    :func:`~sklearn_ae._penalties.encoder_jacobian_sq_norm`). An epoch costs
    a few times a :class:`StackedAE` one; see ``benchmarks/RESULTS_variants.md``.

    Parameters
    ----------
    {n_components}
    contractive_weight : float, default=0.05
        Weight of the Jacobian penalty relative to the reconstruction loss
        (a mean over features). The penalty is the squared Jacobian norm
        times the input's squared mean variance over the code's mean
        variance, and times ``n_features / n_components ** 2`` (the share of
        isotropic input noise even PCA's projection keeps), so the weight
        means the same at any scale of the data, any code size and any
        input width. At 1,000 training rows and 8-d codes, 0.05 leaves the
        Jacobian relative to the code's spread at 0.45-0.80 of a plain
        :class:`StackedAE`'s on digits, MNIST, Fashion-MNIST, Olivetti
        faces, colour patches and five tabular sets, at -1 to 22 % more
        reconstruction error (``benchmarks/RESULTS_defaults.md``).
    {dense}
    {init}
    {code_activation}
    {out_activation}
    {loss}
    {noise}
    {noise_level}
    {training}

    Attributes
    ----------
    {attributes}
    {pretrain_attributes}

    See Also
    --------
    StackedAE : The same network without the penalty.
    DenoisingAE : Robustness to input perturbations through noise instead.

    References
    ----------
    S. Rifai, P. Vincent, X. Muller, X. Glorot and Y. Bengio, "Contractive
    auto-encoders: explicit invariance during feature extraction", ICML 2011.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_ae import ContractiveAE
    >>> X = load_digits().data / 16
    >>> ae = ContractiveAE(n_components=8, max_iter=20, random_state=0)
    >>> ae.fit_transform(X).shape
    (1797, 8)
    """

    _parameter_constraints = {
        **StackedAE._parameter_constraints,
        "contractive_weight": [Interval(numbers.Real, 0, None, closed="left")],
    }
    _warm_start_mutable = StackedAE._warm_start_mutable | {"contractive_weight"}

    contractive_weight: float = 5e-2
    # The penalty acts over steps, not epochs: 300 Olivetti faces made two
    # batches an epoch, and the stopping rule ended the fit after 29 epochs at
    # 0.91 of the plain model's Jacobian ratio; five batches gave 0.74 at the
    # plain model's error (the tabular sets: 0.46-0.62 from 0.47-0.64).
    _auto_min_steps = 5

    def _penalties(self):
        return [ContractivePenalty(self.contractive_weight, relative=True, shape_free=True)]
