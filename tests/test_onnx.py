"""ONNX export through skl2onnx: onnxruntime gives what scikit-learn gives."""

import numpy as np
import pytest
import torch

pytest.importorskip("skl2onnx")
pytest.importorskip("onnxscript")
ort = pytest.importorskip("onnxruntime")

from skl2onnx import to_onnx  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

import sklearn_ae.onnx  # noqa: E402  (registers the converters)
from sklearn_ae import ConvAE, RecurrentAE, StackedAE, VariationalAE  # noqa: E402
from sklearn_ae.utils import all_estimators  # noqa: E402

from ._helpers import TinyDecoder, TinyEncoder, digits_split  # noqa: E402

EXPORTABLE = [(n, c) for n, c in all_estimators() if not issubclass(c, RecurrentAE)]
SMALL = {
    "AutoEncoder": dict(encoder=TinyEncoder, decoder=TinyDecoder),
    "ConvAE": dict(channels=(2, 3)),
    "VariationalAE": dict(architecture="conv", channels=(2,)),
}


@pytest.fixture(autouse=True, scope="module")
def _torchlib_registry_built_once():
    # torch's exporter rebuilds its table of ONNX translations (~1-2 s, far
    # more on a busy machine) on every export; the tests export a dozen small
    # models, so they share one table. Users pay it once per conversion.
    from torch.onnx._internal.exporter import _registration

    original = _registration.ONNXRegistry.__dict__["from_torchlib"]
    built = {}

    def from_torchlib(cls, opset_version=None, **kwargs):
        key = (opset_version, tuple(sorted(kwargs.items())))
        if key not in built:
            built[key] = original.__func__(cls, opset_version=opset_version, **kwargs)
        return built[key]

    _registration.ONNXRegistry.from_torchlib = classmethod(from_torchlib)
    yield
    _registration.ONNXRegistry.from_torchlib = original


def run(onx, X):
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X})


@pytest.mark.parametrize("name, cls", EXPORTABLE, ids=[n for n, _ in EXPORTABLE])
def test_onnx_transform_matches_transform(name, cls):
    # float64, as numpy gives: the graph computes in float64 too (but for
    # convolutions, which onnxruntime runs in float32 only).
    check_transform(cls(max_iter=3, random_state=0, **SMALL.get(name, {})), np.float64)


@pytest.mark.parametrize(
    "ae", [ConvAE(**SMALL["ConvAE"]), VariationalAE(hidden_layer_sizes=(16,))]
)
def test_onnx_transform_matches_transform_in_float32(ae):
    check_transform(ae.set_params(max_iter=3, random_state=0), np.float32)


def check_transform(ae, dtype):
    X_train, X_test, *_ = digits_split()
    ae.fit(X_train[:300].astype(dtype))
    X = X_test.astype(dtype)
    (codes,) = run(to_onnx(ae, X[:1]), X)
    assert codes.dtype == dtype and codes.shape == (len(X), ae._n_features_out)
    np.testing.assert_allclose(codes, ae.transform(X), atol=1e-5, rtol=0)


def _assert_same_labels(labels, pipe, X):
    """The labels agree wherever the two classes on top are clearly apart: each
    probability may move by the tolerance (1e-5) in float32, so a tie closer
    than 2e-5 may go either way on another CPU."""
    top_two = np.sort(pipe.predict_proba(X), axis=1)[:, -2:]
    clear = top_two[:, 1] - top_two[:, 0] > 2e-5
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(labels[clear], pipe.predict(X)[clear])


@pytest.mark.parametrize("ae", [StackedAE(), ConvAE(**SMALL["ConvAE"])], ids=type)
def test_pipeline_with_autoencoder_predicts_as_scikit_learn(ae):
    # The pipeline, on raw digits (0-16) and float64 as load_digits gives.
    X_train, X_test, y_train, y_test = digits_split()
    X_train, X_test = X_train * 16, X_test * 16
    pipe = Pipeline([("scale", MinMaxScaler()), ("ae", ae), ("clf", LogisticRegression())])
    pipe.set_params(ae__n_components=8, ae__max_iter=20, ae__random_state=0).fit(X_train, y_train)
    # ZipMap (probabilities as dicts) exists in float32 only.
    onx = to_onnx(pipe, X_train[:1], options={LogisticRegression: {"zipmap": False}})
    labels, probabilities = run(onx, X_test)
    _assert_same_labels(labels, pipe, X_test)
    np.testing.assert_allclose(probabilities, pipe.predict_proba(X_test), atol=1e-5, rtol=0)
    # A trained pipeline, not a constant one: the labels carry information.
    assert (labels == y_test).mean() > 0.4  # chance: 0.1


def test_float32_pipeline_keeps_zipmap():
    X_train, X_test, y_train, _ = digits_split()
    X_train, X_test = X_train.astype(np.float32), X_test.astype(np.float32)
    pipe = Pipeline(
        [("ae", StackedAE(max_iter=5, random_state=0)), ("clf", LogisticRegression())]
    ).fit(X_train, y_train)
    labels, probabilities = run(to_onnx(pipe, X_train[:1]), X_test)
    _assert_same_labels(labels, pipe, X_test)
    expected = pipe.predict_proba(X_test)
    got = np.array([[row[k] for k in range(10)] for row in probabilities])
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)


def test_recurrent_autoencoder_is_refused_with_the_reason():
    X = np.sin(np.linspace(0, 6, 20) + np.arange(30)[:, None])
    ae = RecurrentAE(hidden_size=4, max_iter=2, random_state=0).fit(X)
    with pytest.raises(Exception, match="RecurrentAE"):
        to_onnx(ae, X[:1])
    with pytest.raises(NotImplementedError, match="last observed step"):
        sklearn_ae.onnx.to_torch_onnx(ae)


def test_exporting_leaves_the_fitted_model_alone():
    X_train, X_test, *_ = digits_split()
    ae = StackedAE(max_iter=2, random_state=0).fit(X_train)
    before = ae.transform(X_test)
    to_onnx(ae, X_test[:1])  # exports a float64 copy
    assert next(ae.module_.parameters()).dtype == torch.float32
    np.testing.assert_array_equal(ae.transform(X_test), before)


def test_register_converters_takes_autoencoder_classes_only():
    class MyAE(StackedAE):
        pass

    sklearn_ae.onnx.register_converters(MyAE)
    X_train, X_test, *_ = digits_split()
    ae = MyAE(max_iter=2, random_state=0).fit(X_train)
    (codes,) = run(to_onnx(ae, X_test[:1]), X_test)
    np.testing.assert_allclose(codes, ae.transform(X_test), atol=1e-5, rtol=0)
    with pytest.raises(TypeError, match="autoencoder classes"):
        sklearn_ae.onnx.register_converters(LogisticRegression)


def test_import_without_skl2onnx_says_what_to_install(monkeypatch):
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "sklearn_ae.onnx")
    with pytest.raises(ImportError, match=r"pip install 'sklearn-ae\[onnx\]'"):
        importlib.import_module("sklearn_ae.onnx")
