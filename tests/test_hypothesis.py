"""Generated inputs and parameters against the contract of every public estimator.

For any input (extreme values, NaN and inf, shapes down to one row or one
feature, float32/float64/int dtypes, negative strides, Fortran order, sparse
formats, lists) and any parameter set, a call either

* raises a clear error: a ``ValueError`` (``InvalidParameterError`` included)
  or ``FloatingPointError`` raised by this package or scikit-learn, never one
  from deep inside torch, skorch or numpy (and ``TypeError`` only for sparse
  input to an estimator that takes none, scikit-learn's convention); or
* gives a model that reconstructs better than the mean of its training data,
  or says it does not (a warning);

and a call that fails leaves a fitted model bitwise as it was. CI size: tiny
arrays, a few epochs, ``derandomize=True`` so every run draws the same cases.
"""

import copy
import pickle
import traceback
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.frozen import FrozenEstimator

from sklearn_ae import ConvAE, FineTunedClassifier, FineTunedRegressor, RecurrentAE
from sklearn_ae.utils import all_estimators

from ._helpers import tiny_estimator as _tiny

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ESTIMATORS = all_estimators()
IDS = [name for name, _ in ESTIMATORS]
CASES = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Values a column may be scaled to, and single cells that may be planted.
SCALES = [1e-30, 1e-6, 1.0, 1e3, 1e14, 1e20]
SPECIALS = [np.nan, np.inf, -np.inf, 1e39, -1e16, 0.0, 1e-45]
LAYOUTS = ["C", "F", "reversed", "strided", "list", "csr", "csc", "coo"]
# Where an error may be raised from: the package, scikit-learn, Python itself.
FOREIGN = ("/torch/", "/skorch/", "/numpy/", "/scipy/")


def _n_features(cls):
    return 16 if cls is ConvAE else 6  # ConvAE: 4 x 4 images


@st.composite
def arrays(draw, n_features):
    """A float matrix of ``n_features`` columns in some layout, and its dense float64 copy."""
    n_rows = draw(st.integers(1, 12))
    seed = draw(st.integers(0, 2**16))
    values = np.random.default_rng(seed).normal(size=(n_rows, n_features))
    values *= draw(st.sampled_from(SCALES))
    if draw(st.booleans()):
        values[draw(st.integers(0, n_rows - 1)), draw(st.integers(0, n_features - 1))] = draw(
            st.sampled_from(SPECIALS)
        )
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64]))
    with np.errstate(all="ignore"):
        X = values.astype(dtype) if dtype is not np.int64 or np.isfinite(values).all() else values
    layout = draw(st.sampled_from(LAYOUTS))
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout == "reversed":
        X = np.flip(X[::-1], 0)[::-1]  # rows reversed twice: a negative-stride view
    elif layout == "strided":
        wide = np.repeat(X, 2, axis=1)
        X = wide[:, ::2]
    elif layout == "list":
        X = X.tolist()
    elif layout in ("csr", "csc", "coo"):
        X = getattr(sp, f"{layout}_matrix")(X)
    return X, np.asarray(values, dtype=np.float64), layout


def _as_images(X, cls):
    """ConvAE takes dense rows as 4 x 4 images."""
    if cls is ConvAE and isinstance(X, np.ndarray) and X.shape[1] == 16:
        return X.reshape(len(X), 4, 4)
    return X


def _clear_error(exc, estimator, layout):
    """Assert ``exc`` is an error the contract allows: raised by a ``raise`` of ours or
    scikit-learn's (an error from torch's C++ code surfaces in our frame that called it)."""
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    if isinstance(exc, TypeError) and layout in ("csr", "csc", "coo"):
        assert not estimator.__sklearn_tags__().input_tags.sparse, exc
        return
    assert isinstance(exc, ValueError | FloatingPointError), repr(exc)
    assert not any(part in frame.filename for part in FOREIGN), f"{exc!r} from {frame}"
    assert (frame.line or "").lstrip().startswith("raise"), f"{exc!r} from {frame}"


def _state(est):
    return pickle.dumps(est.__getstate__())


def _mse(a, b):
    return float(np.mean((np.asarray(a, np.float64).reshape(len(b), -1) - b) ** 2))


# ------------------------------------------------------------- inputs
@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=IDS)
def test_any_input_gives_a_clear_error_or_a_model_that_learned_or_says_so(name, cls):
    @CASES
    @given(data=arrays(_n_features(cls)))
    def run(data):
        X, dense, layout = data
        X = _as_images(X, cls)
        est = _tiny(cls)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                est.fit(X)
            except Exception as exc:
                _clear_error(exc, est, layout)
                return
        assert not np.isnan(dense).all(axis=1).any() or cls is not RecurrentAE
        if not np.isfinite(dense).all():
            assert cls is RecurrentAE and not np.isinf(dense).any()  # NaN: padding
            return
        recon = est.inverse_transform(est.transform(X))
        error, mean_error = (
            _mse(recon, dense),
            _mse(np.broadcast_to(dense.mean(axis=0), dense.shape), dense),
        )
        if error > 1.01 * mean_error + 1e-6 * float(np.mean(dense**2)):
            assert caught, f"worse than the mean ({error:.3g} vs {mean_error:.3g}), no warning"

    run()


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=IDS)
def test_a_failed_call_leaves_a_fitted_model_bitwise_as_it_was(name, cls):
    clean = np.random.default_rng(0).uniform(size=(30, _n_features(cls)))
    fitted = _tiny(cls, warm_start=True).fit(_as_images(clean, cls))

    @CASES
    @given(
        data=arrays(_n_features(cls) + 1) | arrays(_n_features(cls)),
        method=st.sampled_from(["fit", "partial_fit", "transform", "score", "inverse_transform"]),
    )
    def run(data, method):
        X, _, layout = data
        est = copy.deepcopy(fitted)
        if method == "partial_fit" and est.solver == "lbfgs":
            return
        before = _state(est)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if method == "inverse_transform":
                    est.inverse_transform(X)
                else:
                    getattr(est, method)(_as_images(X, cls))
            except Exception as exc:
                _clear_error(exc, est, layout)
                assert _state(est) == before, f"{method} failed and changed the model"

    run()


# --------------------------------------------------------- parameters
# Values of each parameter, valid or not.
VALUES = {
    "n_components": [1, 2, 3, 0, True, 2.5, None],
    "batch_size": ["auto", 4, 0, True],
    "learning_rate_init": [1e-4, 1e-2, 1.0, 1e6, "auto"],
    "max_iter": [1, 2, 3, 0, True],
    "solver": ["adam", "sgd", "lbfgs", "adamw"],
    "alpha": [0.0, 1e-3, 1e3, -1.0],
    "n_jobs": [None, 1, 0, -2],  # no thread counts above 1: slow on a busy machine
    "device": ["cpu", "auto", "meta", "cuda:99", "nonsense"],
    "early_stopping": [False, True],
    "validation_fraction": [0.1, 0.5, 0.99],
    "noise": [None, "gaussian", "masking", "dropout"],
    "noise_level": [0.0, 0.5, 1.0, 10.0],
    "tol": [0.0, 1e-4, 1.0],
    "n_iter_no_change": [1, 10, 0],
    "hidden_layer_sizes": [(), (3,), (4, 2), (0,), (True,)],
    "loss": ["mse", "bce"],
}
PARAMETERS = {name: st.sampled_from(values) for name, values in VALUES.items()}


def _fit_or_clear_error(est, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            est.fit(X)
        except Exception as exc:
            _clear_error(exc, est, "C")
            return
    assert np.isfinite(est.transform(X)).all()


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=IDS)
def test_any_parameters_give_a_clear_error_or_a_fitted_model(name, cls):
    names = sorted(set(PARAMETERS) & set(cls._get_param_names()))
    X = _as_images(np.random.default_rng(0).uniform(size=(20, _n_features(cls))), cls)
    # Every value of every parameter alone first: an invalid value must not
    # hide behind another one's error. Then generated combinations.
    for name in names:
        for value in VALUES[name]:
            _fit_or_clear_error(_tiny(cls).set_params(**{name: value}), X)

    @settings(CASES, max_examples=20)
    @given(params=st.fixed_dictionaries({}, optional={k: PARAMETERS[k] for k in names}))
    def run(params):
        _fit_or_clear_error(_tiny(cls).set_params(**params), X)

    run()


# ---------------------------------------------------- fine-tuned estimators
@pytest.fixture(scope="module")
def encoder():
    from sklearn_ae import StackedAE

    X = np.random.default_rng(0).uniform(size=(30, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return StackedAE(n_components=2, hidden_layer_sizes=(4,), max_iter=3).fit(X)


TARGETS = st.sampled_from(["int", "str", "float", "extreme", "nan", "2d", "short", "one"])


def _targets(kind, n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    return {
        "int": y,
        "str": np.array(["a", "b", "c"])[y],
        "float": rng.normal(size=n),
        "extreme": rng.normal(size=n) * 1e30,
        "nan": np.where(y == 0, np.nan, 1.0),
        "2d": rng.normal(size=(n, 2)),
        "short": y[:-1],
        "one": np.zeros(n, dtype=int),
    }[kind]


@pytest.mark.parametrize("cls", [FineTunedClassifier, FineTunedRegressor])
def test_fine_tuned_any_input_is_a_clear_error_and_leaves_the_model(encoder, cls):
    clean = np.random.default_rng(1).uniform(size=(30, 6))
    y_clean = _targets("int" if cls is FineTunedClassifier else "float", 30, 0)
    fitted = cls(FrozenEstimator(encoder), max_iter=3, random_state=0).fit(clean, y_clean)

    @CASES
    @given(
        data=arrays(6),
        kind=TARGETS,
        seed=st.integers(0, 100),
        method=st.sampled_from(["fit", "partial_fit", "predict", "score"]),
    )
    def run(data, kind, seed, method):
        X, _, layout = data
        est = copy.deepcopy(fitted)
        n_rows = X.shape[0] if sp.issparse(X) else len(X)
        y = _targets(kind, n_rows, seed)
        before = _state(est)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if method == "predict":
                    assert len(est.predict(X)) == n_rows
                else:
                    getattr(est, method)(X, y)
            except Exception as exc:
                _clear_error(exc, est, layout)
                assert _state(est) == before, f"{method} failed and changed the model"

    run()
