"""The linear autoencoder: PCA's subspace, learned by gradient descent."""

from sklearn.utils._param_validation import StrOptions

from ._base import BaseAutoencoder, estimator_parameters
from ._docstrings import fill_doc
from ._pca_init import principal_axes
from ._runtime import draw_seed
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
    init : {{"pca", "random"}}, default="pca"
        How a fresh fit (or a first ``partial_fit``) starts. ``"pca"``: the
        encoder takes the principal axes of the training rows (of the first
        block for ``partial_fit``; not centred for sparse input, as
        ``TruncatedSVD``), so that with ``loss="mse"`` and no ``noise`` the
        untrained model is already PCA's optimum and training ends after a
        step that finds nothing to improve. ``"random"``: PyTorch's default
        initialisation, to study how gradient descent finds the subspace.
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
        "init": [StrOptions({"pca", "random"})],
    }

    tied_weights: bool = True
    init: str = "pca"
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

    def _pretrain(self, net, data):
        if self.init == "pca":
            start = principal_axes(data, self.n_components, draw_seed(net.generator))
            net.module_.init_from_pca(*start)


# The shared text of the training parameters gives the other estimators' defaults.
for _old, _new in [
    (
        'solver : {"adam", "adamw", "sgd", "lbfgs"}, default="adam"',
        'solver : {"adam", "adamw", "sgd", "lbfgs"}, default="lbfgs"',
    ),
    (
        'learning_rate_init : float or "auto", default=0.001',
        'learning_rate_init : float or "auto", default="auto"',
    ),
    ("max_iter : int\n", "max_iter : int, default=100\n"),
]:
    assert _old in LinearAE.__doc__, _old
    LinearAE.__doc__ = LinearAE.__doc__.replace(_old, _new)
