"""Dense autoencoders: basic undercomplete, stacked (deep) and tied."""

import numbers

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseAutoencoder, check_positive_ints, estimator_parameters
from ._docstrings import fill_doc
from ._neighbors import NEIGHBOR_RATE_WIDTH
from ._pca_init import principal_axes
from ._pretrain import greedy_pretrain
from ._runtime import draw_seed
from .modules import ACTIVATIONS, DenseAutoencoder
from .modules._dense import can_fold

__all__ = ["StackedAE"]


@fill_doc
@estimator_parameters
class StackedAE(BaseAutoencoder):
    """Deep (stacked) fully connected autoencoder.

    The encoder maps ``n_features -> hidden_layer_sizes... -> n_components``
    and the decoder mirrors it. ``hidden_layer_sizes=()`` is the basic
    undercomplete autoencoder; ``tied_weights=True`` makes each decoder layer
    the transpose of its encoder twin (Hinton and Salakhutdinov, 2006). The
    code and output layers are linear unless ``code_activation`` and
    ``out_activation`` say otherwise: ``StackedAE(n_components=32,
    hidden_layer_sizes=(), code_activation="relu", out_activation="logistic")``
    is the classic 784-32-784 tutorial autoencoder (ReLU code, sigmoid output)
    on MNIST scaled to [0, 1].

    Parameters
    ----------
    {n_components}
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
    LinearAE : The linear autoencoder, which recovers PCA's subspace.
    sklearn.decomposition.PCA : The linear baseline.

    References
    ----------
    G. E. Hinton and R. R. Salakhutdinov, "Reducing the dimensionality of
    data with neural networks", Science 313(5786), 2006.

    Y. Bengio, P. Lamblin, D. Popovici and H. Larochelle, "Greedy layer-wise
    training of deep networks", NIPS 19, 2007.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_ae import StackedAE
    >>> X = load_digits().data / 16
    >>> ae = StackedAE(n_components=8, max_iter=20, random_state=0)
    >>> ae.fit_transform(X).shape
    (1797, 8)
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "tied_weights": ["boolean"],
        "pretrain": [StrOptions({"greedy"}), None],
        "pretrain_max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "pretrain_learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "code_activation": [StrOptions(set(ACTIVATIONS))],
        "out_activation": [StrOptions(set(ACTIVATIONS))],
        "init": [StrOptions({"pca", "random"})],
    }

    hidden_layer_sizes: tuple = (128, 64)
    activation: str = "relu"
    tied_weights: bool = False
    pretrain: str | None = None
    pretrain_max_iter: int = 10
    pretrain_learning_rate_init: float | None = None
    code_activation: str = "identity"
    out_activation: str = "identity"
    init: str = "pca"
    # "auto": 0.001 as the other estimators, but 0.03 with a neighbour term
    # (scaled down for layers wider than 128), which from the PCA start
    # otherwise needs hundreds of epochs.
    learning_rate_init: float | str = "auto"

    def _build_module(self, n_features, code_activation=None):
        hidden = check_positive_ints(self.hidden_layer_sizes, "hidden_layer_sizes")
        return DenseAutoencoder(
            n_features,
            self.n_components,
            hidden_layer_sizes=hidden,
            activation=self.activation,
            tied_weights=self.tied_weights,
            code_activation=code_activation or self.code_activation,
            out_activation=self._module_out_activation(),
            # The PCA start lives in the layers themselves where it can (ReLU-like
            # hidden layers at least 4 * n_components wide), so that every penalty,
            # corruption and check sees one network; else beside them. A neighbour
            # term (learning rate 0.03) keeps the linear path: folded, the UMAP
            # term no longer beat the plain model's trustworthiness on digits.
            linear_path=self._start() == "pca"
            and (
                self.neighbor_loss is not None
                or not can_fold(self.activation, hidden, self.n_components)
            ),
        )

    def _start(self):
        """How a fresh fit starts: ``init``, resolved."""
        return self.init

    def _auto_learning_rate(self, neighbors):
        rate = super()._auto_learning_rate(neighbors)
        widest = max(check_positive_ints(self.hidden_layer_sizes, "hidden_layer_sizes"), default=0)
        if neighbors and self.solver != "lbfgs" and widest > NEIGHBOR_RATE_WIDTH:
            # Adam moves every weight by about the rate, so a unit's input
            # moves with the number of weights feeding it: on 60k MNIST rows
            # a (512, 256, 128) net at 0.03 left the map at PCA's, at 0.003
            # to 0.01 it made the best map (RESULTS_neighbors.md).
            rate *= NEIGHBOR_RATE_WIDTH / widest
        return rate

    def _inactive_parameters(self):
        inactive = super()._inactive_parameters()
        if len(tuple(self.hidden_layer_sizes)) == 0 and self.activation != "relu":
            inactive.append(
                (
                    "activation",
                    "hidden_layer_sizes=() has no hidden layer to apply it to; the code and "
                    "output layers take code_activation and out_activation",
                )
            )
        if self.pretrain is None and self.pretrain_learning_rate_init is not None:
            inactive.append(("pretrain_learning_rate_init", "used with pretrain='greedy' only"))
        return inactive

    def _pretrain(self, net, data):
        vars(self).pop("pretrain_loss_curves_", None)  # from an earlier fit
        if self.pretrain == "greedy":
            self.pretrain_loss_curves_ = greedy_pretrain(
                self, net.module_, data, self.pretrain_max_iter, generator=net.generator
            )
        if self._start() == "pca":
            start = principal_axes(data, self.n_components, draw_seed(net.generator))
            net.module_.init_from_pca(*start)


# The shared text of the training parameters gives the other estimators' rate.
StackedAE.__doc__ = StackedAE.__doc__.replace(
    'learning_rate_init : float or "auto", default=0.001',
    'learning_rate_init : float or "auto", default="auto"',
)
