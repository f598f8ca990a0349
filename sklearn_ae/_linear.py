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
    though the code axes need not be the principal axes themselves.

    By default the decoder is the transpose of the encoder (tied weights).
    Untied, any invertible rescaling of the code is optimal too, a flat valley
    that gradient methods cross slowly: on 10,000 MNIST rows untied L-BFGS was
    still 4 % above PCA's error after 300 iterations, tied L-BFGS matched it
    after 100. With the defaults (full-batch L-BFGS) it reaches PCA's error in
    about a second on digits; use ``solver="adam"`` with minibatches for
    data that does not fit in memory at once.

    Parameters
    ----------
    {n_components}
    tied_weights : bool, default=True
        Decode with the transpose of the encoder's weight (own bias).
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

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "tied_weights": ["boolean"],
    }

    tied_weights: bool = True
    solver: str = "lbfgs"
    learning_rate_init: float | str = "auto"
    max_iter: int = 100
    # An L-BFGS iteration makes up to 20 steps towards the exact (PCA)
    # solution, which it reaches in tens of iterations: it can afford to
    # stop only where the loss has stopped moving.
    _auto_tol = 1e-4

    def _build_module(self, n_features):
        return DenseAutoencoder(
            n_features, self.n_components, activation="identity", tied_weights=self.tied_weights
        )
