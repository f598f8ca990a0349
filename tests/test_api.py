"""The scikit-learn contract in use: pipelines, grid search, outputs, pickling, errors."""

import pickle

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklearn_ae import LinearAE, StackedAE

from ._helpers import digits_split

SMALL = dict(hidden_layer_sizes=(16,), max_iter=15, random_state=0)


@pytest.mark.slow  # two worker processes import torch
def test_pipeline_and_grid_search_with_y():
    X_train, X_test, y_train, y_test = digits_split()
    pipe = Pipeline([("ae", StackedAE(**SMALL)), ("clf", LogisticRegression(max_iter=500))])
    search = GridSearchCV(pipe, {"ae__n_components": [2, 16]}, cv=2, n_jobs=2)
    search.fit(X_train, y_train)
    assert search.best_params_ == {"ae__n_components": 16}
    assert search.score(X_test, y_test) > 0.6  # chance is 0.1; 15 epochs of a tiny net


def test_grid_search_without_y_uses_score():
    X_train, *_ = digits_split()
    search = GridSearchCV(StackedAE(**SMALL), {"n_components": [1, 12]}, cv=2, n_jobs=2)
    search.fit(X_train)
    # score() is the negative reconstruction error: the larger code wins.
    assert search.best_params_ == {"n_components": 12}
    assert search.best_score_ < 0


def test_feature_names_and_pandas_output():
    pd = pytest.importorskip("pandas")
    X_train, *_ = digits_split()
    frame = pd.DataFrame(X_train, columns=[f"px{i}" for i in range(X_train.shape[1])])
    ae = StackedAE(n_components=3, **SMALL).set_output(transform="pandas").fit(frame)
    out = ae.transform(frame)
    assert list(out.columns) == ["stackedae0", "stackedae1", "stackedae2"]
    assert list(ae.feature_names_in_) == list(frame.columns)
    assert list(LinearAE(2).fit(X_train).get_feature_names_out()) == ["linearae0", "linearae1"]


@pytest.mark.parametrize("dump_load", ["pickle", "joblib"])
def test_pickle_round_trip_is_exact(tmp_path, dump_load):
    X_train, X_test, *_ = digits_split()
    ae = StackedAE(n_components=4, **SMALL).fit(X_train)
    if dump_load == "pickle":
        loaded = pickle.loads(pickle.dumps(ae))
    else:
        joblib.dump(ae, tmp_path / "ae.joblib")
        loaded = joblib.load(tmp_path / "ae.joblib")
    np.testing.assert_array_equal(loaded.transform(X_test), ae.transform(X_test))
    np.testing.assert_array_equal(loaded.reconstruct(X_test), ae.reconstruct(X_test))
    assert loaded.loss_curve_ == ae.loss_curve_


def test_model_saved_on_cuda_loads_on_cpu():
    # Stand-in for a CUDA-trained model on a CPU-only machine: the net records
    # device "cuda", so unpickling must map it (and its tensors) to the CPU.
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    X_train, X_test, *_ = digits_split()
    ae = StackedAE(n_components=4, **SMALL).fit(X_train)
    expected = ae.transform(X_test)
    ae.net_.device = "cuda"
    with pytest.warns(UserWarning, match="no CUDA devices"):
        loaded = pickle.loads(pickle.dumps(ae))
    assert str(loaded.net_.device) == "cpu"
    np.testing.assert_array_equal(loaded.transform(X_test), expected)


def test_clone_gives_unfitted_copy_with_same_params():
    ae = StackedAE(n_components=5, hidden_layer_sizes=(7,), random_state=3)
    cloned = clone(ae)
    assert cloned.get_params() == ae.get_params()
    assert not hasattr(cloned, "net_")


def test_dtypes_follow_the_input():
    X_train, *_ = digits_split()
    ae = StackedAE(n_components=3, **SMALL).fit(X_train)
    assert ae.transform(X_train.astype(np.float32)).dtype == np.float32
    assert ae.transform(X_train).dtype == np.float64
    assert ae.transform((X_train * 16).astype(np.int64) / 16).dtype == np.float64
    assert (
        ae.fit(X_train.astype(np.float32)).inverse_transform(np.zeros((2, 3), np.float32)).dtype
        == np.float32
    )


def test_int_input_is_accepted():
    X_train, *_ = digits_split()
    X_int = np.rint(X_train * 16).astype(np.int64)
    codes = StackedAE(n_components=3, **SMALL).fit_transform(X_int)
    assert codes.dtype == np.float64 and np.isfinite(codes).all()


def test_transform_does_not_depend_on_batching():
    X_train, X_test, *_ = digits_split()
    ae = StackedAE(n_components=4, **SMALL).fit(X_train)
    full = ae.transform(X_test)
    by_rows = np.vstack([ae.transform(X_test[i : i + 7]) for i in range(0, len(X_test), 7)])
    # Equal up to rounding, not bitwise: BLAS picks its kernel by the number of
    # rows (a short last chunk takes another one on some CPUs), and float64 sums
    # taken in another order differ by a few ulp (2.2e-16 seen). scikit-learn's
    # own batch and order invariance checks compare with a tolerance too. 1e-12
    # is far above rounding and far below any real dependence on the batch.
    np.testing.assert_allclose(by_rows, full, rtol=1e-12, atol=1e-12)
    order = np.random.default_rng(0).permutation(len(X_test))
    np.testing.assert_allclose(ae.transform(X_test[order]), full[order], rtol=1e-12, atol=1e-12)


def test_sparse_input_trains_like_dense():
    X_train, X_test, *_ = digits_split()
    # The default (PCA) start centres sparse rows implicitly, as dense ones
    # (tests/test_pca_start.py: the start itself, and wide data).
    for init in ("pca", "random"):
        dense = StackedAE(n_components=4, init=init, **SMALL).fit(X_train)
        sparse = StackedAE(n_components=4, init=init, **SMALL).fit(sp.csr_matrix(X_train))
        np.testing.assert_allclose(
            sparse.transform(sp.csr_matrix(X_test)), dense.transform(X_test), rtol=1e-6, atol=1e-6
        )


def test_reconstruct_is_inverse_of_transform():
    X_train, X_test, *_ = digits_split()
    ae = StackedAE(n_components=4, **SMALL).fit(X_train)
    np.testing.assert_allclose(
        ae.reconstruct(X_test), ae.inverse_transform(ae.transform(X_test)), atol=1e-12
    )


def test_bce_loss_reconstructs_within_unit_interval():
    X_train, X_test, *_ = digits_split()
    ae = StackedAE(n_components=8, loss="bce", **SMALL).fit(X_train)
    recon = ae.reconstruct(X_test)
    assert recon.min() >= 0 and recon.max() <= 1
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]


BAD_INPUTS = [
    (np.array([[0.0, np.nan], [1.0, 2.0]]), "NaN"),
    (np.array([[0.0, np.inf], [1.0, 2.0]]), "infinity"),
    (np.arange(4.0), "Expected 2D array"),
    (np.empty((0, 2)), "0 sample"),
    (np.array([["a", "b"], ["c", "d"]]), "convert"),
    (np.array([[1 + 2j, 0], [0, 1]]), "Complex data not supported"),
]


@pytest.mark.parametrize("X, message", BAD_INPUTS, ids=[m for _, m in BAD_INPUTS])
def test_bad_input_gets_a_clear_error_in_fit_and_transform(X, message):
    with pytest.raises(ValueError, match=message):
        StackedAE(**SMALL).fit(X)
    fitted = StackedAE(**SMALL).fit(np.random.default_rng(0).random((20, 2)))
    with pytest.raises(ValueError, match=message):
        fitted.transform(X)


def test_wrong_width_gets_a_clear_error():
    ae = StackedAE(n_components=3, **SMALL).fit(np.random.default_rng(0).random((20, 5)))
    with pytest.raises(ValueError, match="X has 4 features, but StackedAE is expecting 5"):
        ae.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="n_components=3"):
        ae.inverse_transform(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="Expected 2D array"):
        ae.inverse_transform(np.zeros(3))


def test_bad_parameters_are_rejected_before_training():
    X = np.random.default_rng(0).random((20, 5))
    with pytest.raises(ValueError, match="n_components"):
        StackedAE(n_components=0).fit(X)
    with pytest.raises(ValueError, match="activation"):
        StackedAE(activation="swish").fit(X)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        StackedAE(hidden_layer_sizes=(4, 0)).fit(X)
    with pytest.raises(ValueError, match="device"):
        StackedAE(device="tpu", max_iter=1).fit(X)
