"""The methods under comparison, and good autoencoder settings for each data set.

:data:`METHODS` lists every method the comparison knows, each with the name
users type (``--methods stacked``) and the name its rows carry (``StackedAE``).
A method is built by :func:`make_method` as an object with ``fit(X)`` and, where
the method has them, ``transform`` and ``inverse_transform``; t-SNE from
scikit-learn has neither and is marked ``transductive``: it embeds the rows it
is given and nothing else.
"""

import importlib.util
from dataclasses import dataclass, field

from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

from ._data import UCR_SETS

__all__ = [
    "AE_DEFAULTS",
    "DEFAULT_METHODS",
    "METHODS",
    "MethodSpec",
    "ae_settings",
    "available_methods",
    "make_method",
    "resolve_method",
    "unavailable_reason",
]


@dataclass(frozen=True)
class MethodSpec:
    """One method of the comparison.

    key : the name typed on the command line (``--methods pca,stacked``).
    label : the name of its rows, as users know the class.
    estimator : for autoencoders, the class name in :mod:`sklearn_ae`.
    params : parameters set on top of the data set's settings.
    settings : key of :data:`AE_DEFAULTS` whose settings it uses (default: ``key``).
    default : run when ``--methods`` is not given.
    package : an optional package it needs (left out when missing).
    distribution : what ``pip install`` calls that package (default: ``package``).
    """

    key: str
    label: str
    description: str
    estimator: str = None
    params: dict = field(default_factory=dict)
    settings: str = None
    default: bool = False
    package: str = None
    distribution: str = None


def _autoencoder_specs():
    """A spec for every autoencoder the package exports (StackedAE -> key "stacked")."""
    import sklearn_ae

    specs = []
    for name in (n for n in sklearn_ae.__all__ if n.endswith("AE")):  # no needless imports
        cls = getattr(sklearn_ae, name)
        # AutoEncoder wraps modules the user passes: nothing to build here.
        if (
            isinstance(cls, type)
            and issubclass(cls, sklearn_ae.BaseAutoencoder)
            and cls not in (sklearn_ae.BaseAutoencoder, sklearn_ae.AutoEncoder)
        ):
            key = name.removesuffix("AE").lower()
            specs.append(
                MethodSpec(
                    key,
                    name,
                    f"sklearn_ae.{name}",
                    estimator=name,
                    default=key in ("linear", "stacked"),
                )
            )
    return specs


def _method_list():
    methods = [
        MethodSpec("pca", "PCA", "sklearn.decomposition.PCA", default=True),
        MethodSpec(
            "tsne",
            "TSNE",
            "sklearn.manifold.TSNE (2-d only; no transform of new points)",
            default=True,
        ),
        MethodSpec(
            "opentsne",
            "openTSNE",
            "openTSNE.TSNE (2-d; transforms new points)",
            package="openTSNE",
        ),
        MethodSpec("umap", "UMAP", "umap.UMAP", package="umap", distribution="umap-learn"),
        *_autoencoder_specs(),
        # ------------------------------------------------------------------
        # Variants with extra ``params`` (skipped, with a note, where the
        # estimator lacks them). Opt-in: ``default=True`` would put the row in
        # ``sklearn-ae compare`` and benchmarks/RESULTS.md (make_results.py
        # runs the defaults, and _cli.DEFAULT_METHODS spells them out). The
        # t-SNE map is on by default because the comparison is about 2-d
        # maps: openTSNE's map of the training rows, which the encoder learns
        # and the decoder inverts, with new rows placed by openTSNE
        # (RESULTS_neighbors.md). It makes 2-d maps only (make_method skips
        # other sizes).
        MethodSpec(
            "stacked-tsne",
            "StackedAE (t-SNE loss)",
            "sklearn_ae.StackedAE(neighbor_loss='tsne'): openTSNE's map, learnt and inverted",
            estimator="StackedAE",
            params={"neighbor_loss": "tsne"},
            default=True,
        ),
        MethodSpec(
            "stacked-umap",
            "StackedAE (UMAP loss)",
            "sklearn_ae.StackedAE(neighbor_loss='umap'): neighbour-preserving codes",
            estimator="StackedAE",
            params={"neighbor_loss": "umap"},
            settings="stacked",
        ),
        # ------------------------------------------------------------------
    ]
    return {spec.key: spec for spec in methods}


METHODS = _method_list()
DEFAULT_METHODS = tuple(key for key, spec in METHODS.items() if spec.default)


def resolve_method(name):
    """The key of method ``name``: a key, a row label or a class name, any case."""
    wanted = name.strip().lower()
    for key, spec in METHODS.items():
        names = {key, spec.label.lower(), (spec.estimator or "").lower()}
        if wanted in names and not (spec.params and wanted == spec.estimator.lower()):
            return key
    raise ValueError(
        f"Unknown method {name!r}; available: {', '.join(available_methods())} "
        "(or their row names, e.g. StackedAE)."
    )


def unavailable_reason(key):
    """Why method ``key`` cannot run here (a missing package or parameter), or None."""
    spec = METHODS[key]
    if spec.package and importlib.util.find_spec(spec.package) is None:
        return (
            f"needs the {spec.package} package (pip install {spec.distribution or spec.package})"
        )
    if spec.estimator:
        import sklearn_ae

        params = getattr(sklearn_ae, spec.estimator)().get_params()
        missing = sorted(set(spec.params) - set(params))
        if missing:
            return f"{spec.estimator} has no parameter {', '.join(missing)} in this version"
    return None


def available_methods():
    """{key: one-line description} of the methods usable here.

    openTSNE and UMAP appear only when installed; methods whose parameters do
    not exist yet are left out.
    """
    return {
        key: spec.description for key, spec in METHODS.items() if unavailable_reason(key) is None
    }


# Settings tuned for a CPU budget (2 cores, a few minutes per model on the
# 60,000 MNIST rows; see benchmarks/RESULTS.md). ``finetune_iter`` more epochs
# at ``learning_rate_init * finetune_lr_factor`` follow the main run: a
# one-step learning-rate decay, which gains more than the same epochs at the
# first rate. ``by_dim`` overrides for codes of at most that many dimensions.
AE_DEFAULTS = {
    "digits": {
        # The estimator's own defaults: openTSNE places the rows, the
        # (128, 64) net learns and inverts the map (RESULTS_neighbors.md).
        "stacked-tsne": {},
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
            # Pixels in [0, 1], many at exactly 0 or 1: a sigmoid output and
            # tied weights, 10 epochs on MNIST's 30-d code: test MSE 0.00712
            # -> 0.00571 (RESULTS_published.md has the same on H&S's stack).
            "out_activation": "logistic",
            "tied_weights": True,
            # A 2-d code gets one more layer: folding ten classes into a plane
            # needs the depth more than a 30-d code does. There the sigmoid
            # and tied weights lost (10 epochs: MSE 0.0381 vs 0.0366,
            # trustworthiness 0.901 vs 0.911), so it keeps the plain net.
            "by_dim": {
                2: {
                    "hidden_layer_sizes": (512, 256, 128),
                    "max_iter": 30,
                    "out_activation": "identity",
                    "tied_weights": False,
                }
            },
        },
        "linear": {},  # tied L-BFGS converges within ~25 iterations, then stops
        # The estimator's defaults but for 20 epochs: openTSNE's map of 60k
        # rows takes minutes, and the held-out rows are placed by openTSNE,
        # so the epochs only shape the encoder and the decoder.
        "stacked-tsne": {"max_iter": 20},
        "*": {"hidden_layer_sizes": (512, 256), "max_iter": 25, "batch_size": 256},
    },
}
AE_DEFAULTS["fashion-mnist"] = AE_DEFAULTS["mnist"]
# 300 training faces of 4,096 pixels: a narrow net, small batches for enough steps.
AE_DEFAULTS["olivetti"] = {
    "linear": {"max_iter": 100},
    "*": {"hidden_layer_sizes": (256, 64), "max_iter": 200, "batch_size": 32},
}
# UCR sets: tens to hundreds of standardised series. RecurrentAE runs at its
# own defaults (its hidden_layer_sizes mean recurrent units).
AE_DEFAULTS["series"] = {
    "linear": {"max_iter": 100},
    "recurrent": {},
    "*": {"hidden_layer_sizes": (64, 32), "max_iter": 200, "batch_size": 32},
}

# Keys of AE_DEFAULTS that the runner handles itself instead of the estimator.
RUNNER_KEYS = ("finetune_iter", "finetune_lr_factor")


def ae_settings(dataset, method, dim, overrides=None):
    """Settings of autoencoder ``method`` for ``dataset`` at code size ``dim``.

    The data set's defaults for the method (or its ``"*"`` entry), then the
    ``by_dim`` entry for the smallest listed size >= ``dim``, then the
    user's ``overrides`` (keys left at None are ignored).
    """
    if dataset not in AE_DEFAULTS:
        dataset = "series" if dataset.startswith("ucr:") or dataset in UCR_SETS else "digits"
    table = AE_DEFAULTS[dataset]
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
    """Build method ``name`` (a key of :data:`METHODS`) for ``dim``-d codes.

    None when it has no such size: t-SNE (both implementations, and the
    t-SNE loss of ``stacked-tsne``) only makes 2-d maps here, since
    scikit-learn's Barnes-Hut t-SNE is limited to 3 dimensions and larger
    codes are not what t-SNE is for.
    """
    key = resolve_method(name)
    spec = METHODS[key]
    if key == "pca":
        return MethodInfo(PCA(n_components=dim, random_state=random_state), has_inverse=True)
    if key in ("tsne", "opentsne", "stacked-tsne") and dim != 2:
        return None
    if key == "tsne":
        return MethodInfo(
            TSNE(n_components=2, init="pca", random_state=random_state), transductive=True
        )
    if key == "opentsne":
        return MethodInfo(_OpenTSNE(random_state))
    if key == "umap":
        import umap

        return MethodInfo(umap.UMAP(n_components=dim, random_state=random_state))
    import sklearn_ae

    cls = getattr(sklearn_ae, spec.estimator)
    settings = ae_settings(dataset, spec.settings or key, dim, overrides)
    runner = {k: settings.pop(k) for k in RUNNER_KEYS if k in settings}
    params = cls().get_params()
    kwargs = {k: v for k, v in settings.items() if k in params}
    kwargs.update(spec.params, n_components=dim, random_state=random_state, verbose=verbose)
    return MethodInfo(cls(**kwargs), has_inverse=True, is_autoencoder=True, runner_settings=runner)
