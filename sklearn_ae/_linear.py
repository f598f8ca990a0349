"""The linear autoencoder: PCA's subspace, learned by gradient descent."""

from ._base import BaseAutoencoder, estimator_parameters
from ._docstrings import fill_doc
from .modules import DenseAutoencoder

__all__ = ["LinearAE"]


@fill_doc
@estimator_parameters
class LinearAE(BaseAutoencoder):
    """Linear autoencoder: one linear encoder layer, one linear decoder layer.

    Trained with the squared error, its decoder spans the same subspace as
    the first ``n_components`` principal components (Baldi and Hornik, 1989),
    though the code axes are not the principal axes themselves (any
    invertible mix of them is optimal too). With the defaults (full-batch
    L-BFGS) it reaches PCA's reconstruction error in about a second on digits;
    use ``optimizer="adam"`` with minibatches for data that does not fit in
    memory at once.

    Parameters
    ----------
    {n_components}
    {loss}
    {noise}
    {noise_level}
    {training}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    sklearn.decomposition.PCA : The closed-form solution of the same problem.
    StackedAE : The nonlinear, deep version.

    References
    ----------
    P. Baldi and K. Hornik, "Neural networks and principal component
    analysis: learning from examples without local minima", Neural Networks
    2(1), 1989.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_ae import LinearAE
    >>> X = load_digits().data / 16
    >>> LinearAE(n_components=2, random_state=0).fit_transform(X).shape
    (1797, 2)
    """

    # Full-batch L-BFGS reaches PCA's optimum in seconds on digits.
    optimizer: str = "lbfgs"
    learning_rate_init: float | str = "auto"
    max_iter: int = 100

    def _build_module(self, n_features):
        return DenseAutoencoder(n_features, self.n_components, activation="identity")
