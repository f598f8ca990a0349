"""The methods under comparison, and good autoencoder settings for each data set.

A method is built by :func:`make_method` as an object with ``fit(X)`` and, where
the method has them, ``transform`` and ``inverse_transform``; t-SNE from
scikit-learn has neither and is marked ``transductive``: it embeds the rows it
is given and nothing else.
"""

import importlib.util
from dataclasses import dataclass

from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

__all__ = ["AE_DEFAULTS", "ae_settings", "available_methods", "make_method"]

# Settings tuned for a CPU budget (2 cores, a few minutes per model on the
# 60,000 MNIST rows; see benchmarks/RESULTS.md). ``finetune_iter`` more epochs
# at ``learning_rate_init * finetune_lr_factor`` follow the main run: a
# one-step learning-rate decay, which gains more than the same epochs at the
# first rate. ``by_dim`` overrides for codes of at most that many dimensions.
AE_DEFAULTS = {
    "digits": {
        "stacked": {"hidden_layer_sizes": (128, 64), "max_iter": 200, "batch_size": 64},
        "linear": {"max_iter": 100},
        "*": {"hidden_layer_sizes": (128, 64), "max_iter": 200, "batch_size": 64},
    },
    "mnist": {
        "stacked": {
            "hidden_layer_sizes": (512, 256),
            "max_iter": 25,
            "batch_size": 256,
            "finetune_iter": 5,
            # A 2-d code gets one more layer: folding ten classes into a plane
            # needs the depth more than a 30-d code does.
            "by_dim": {2: {"hidden_layer_sizes": (512, 256, 128), "max_iter": 30}},
        },
        "linear": {},  # tied L-BFGS converges within ~25 iterations, then stops
        "*": {"hidden_layer_sizes": (512, 256), "max_iter": 25, "batch_size": 256},
    },
}
AE_DEFAULTS["fashion-mnist"] = AE_DEFAULTS["mnist"]

# Keys of AE_DEFAULTS that the runner handles itself instead of the estimator.
RUNNER_KEYS = ("finetune_iter", "finetune_lr_factor")


def _autoencoders():
    """{short name: class} for every autoencoder the package exports (StackedAE -> stacked)."""
    import sklearn_ae

    found = {}
    for name in sklearn_ae.__all__:
        cls = getattr(sklearn_ae, name)
        if (
            isinstance(cls, type)
            and issubclass(cls, sklearn_ae.BaseAutoencoder)
            and cls is not sklearn_ae.BaseAutoencoder
        ):
            found[name.removesuffix("AE").lower()] = cls
    return found


def available_methods():
    """{name: one-line description} of the methods usable here.

    openTSNE and UMAP appear only when installed.
    """
    methods = {
        "pca": "sklearn.decomposition.PCA",
        "tsne": "sklearn.manifold.TSNE (2-d only; no transform of new points)",
    }
    if importlib.util.find_spec("openTSNE") is not None:
        methods["opentsne"] = "openTSNE.TSNE (2-d; transforms new points)"
    if importlib.util.find_spec("umap") is not None:
        methods["umap"] = "umap.UMAP"
    for short, cls in _autoencoders().items():
        methods[short] = f"sklearn_ae.{cls.__name__}"
    return methods


def ae_settings(dataset, method, dim, overrides=None):
    """Settings of autoencoder ``method`` for ``dataset`` at code size ``dim``.

    The data set's defaults for the method (or its ``"*"`` entry), then the
    ``by_dim`` entry for the smallest listed size >= ``dim``, then the
    user's ``overrides`` (keys left at None are ignored).
    """
    table = AE_DEFAULTS.get(dataset, AE_DEFAULTS["digits"])
    settings = dict(table.get(method, table["*"]))
    by_dim = settings.pop("by_dim", {})
    for limit in sorted(by_dim):
        if dim <= limit:
            settings.update(by_dim[limit])
            break
    settings.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return settings


@dataclass
class MethodInfo:
    """What a built method can do."""

    estimator: object
    transductive: bool = False  # embeds only the rows it is fitted on
    has_inverse: bool = False
    is_autoencoder: bool = False
    runner_settings: dict = None


class _OpenTSNE:
    """openTSNE behind fit/transform: new points are placed into the fitted map."""

    def __init__(self, random_state):
        self.random_state = random_state

    def fit(self, X):
        from openTSNE import TSNE as OpenTSNE

        self.embedding_ = OpenTSNE(n_components=2, random_state=self.random_state).fit(X)
        return self

    def transform(self, X):
        import numpy as np

        return np.asarray(self.embedding_.transform(X))


def make_method(name, dim, *, dataset="digits", random_state=0, overrides=None, verbose=False):
    """Build method ``name`` for ``dim``-d codes; None when it has no such size.

    t-SNE (both implementations) only makes 2-d maps here: scikit-learn's
    Barnes-Hut t-SNE is limited to 3 dimensions and larger codes are not
    what t-SNE is for.
    """
    if name == "pca":
        return MethodInfo(PCA(n_components=dim, random_state=random_state), has_inverse=True)
    if name in ("tsne", "opentsne") and dim != 2:
        return None
    if name == "tsne":
        return MethodInfo(
            TSNE(n_components=2, init="pca", random_state=random_state), transductive=True
        )
    if name == "opentsne":
        return MethodInfo(_OpenTSNE(random_state))
    if name == "umap":
        import umap

        return MethodInfo(umap.UMAP(n_components=dim, random_state=random_state))
    autoencoders = _autoencoders()
    if name not in autoencoders:
        raise ValueError(f"Unknown method {name!r}; available: {sorted(available_methods())}.")
    cls = autoencoders[name]
    settings = ae_settings(dataset, name, dim, overrides)
    runner = {k: settings.pop(k) for k in RUNNER_KEYS if k in settings}
    params = cls().get_params()
    kwargs = {k: v for k, v in settings.items() if k in params}
    kwargs.update(n_components=dim, random_state=random_state, verbose=verbose)
    return MethodInfo(cls(**kwargs), has_inverse=True, is_autoencoder=True, runner_settings=runner)
