"""Saving fitted autoencoders: small pickles, skops files that trust no torch type."""

import io
import json
import pickle
import zipfile

import numpy as np
import pytest
import torch

from sklearn_ae import LinearAE, StackedAE
from sklearn_ae.utils import all_estimators

from ._helpers import TinyDecoder, TinyEncoder, digits_split

ESTIMATORS = all_estimators()
# Tiny versions of each estimator's network: the tests check what is saved, not quality.
SMALL = {
    "ConvAE": dict(channels=(2,)),
    "RecurrentAE": dict(hidden_size=4),
    "VariationalAE": dict(hidden_layer_sizes=(8,)),
}


def small(cls, **params):
    defaults = dict(max_iter=2, random_state=0)
    if cls.__name__ == "AutoEncoder":  # the user's own modules, as classes
        defaults.update(encoder=TinyEncoder, decoder=TinyDecoder)
    if "hidden_layer_sizes" in cls._get_param_names() and cls.__name__ not in SMALL:
        defaults["hidden_layer_sizes"] = (8,)
    return cls(**{**defaults, **SMALL.get(cls.__name__, {}), **params})


def fitted(cls, **params):
    X_train, *_ = digits_split()
    return small(cls, **params).fit(X_train[:200])


def round_trip(estimator, fmt):
    """``estimator`` saved and loaded in ``fmt``, and the types a skops file calls untrusted."""
    if fmt == "pickle":
        return pickle.loads(pickle.dumps(estimator)), None
    sio = pytest.importorskip("skops.io")
    data = sio.dumps(estimator)
    untrusted = sio.get_untrusted_types(data=data)
    return sio.loads(data, trusted=untrusted), untrusted


def assert_same_outputs(loaded, estimator):
    _, X_test, *_ = digits_split()
    X = X_test[:50]
    codes = estimator.transform(X)
    np.testing.assert_allclose(loaded.transform(X), codes, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(
        loaded.inverse_transform(codes), estimator.inverse_transform(codes), rtol=1e-6, atol=1e-7
    )
    np.testing.assert_allclose(
        loaded.score_samples(X), estimator.score_samples(X), rtol=1e-6, atol=1e-7
    )
    assert loaded.loss_curve_ == estimator.loss_curve_


def test_pickle_holds_weights_not_optimizer_state():
    # L-BFGS keeps 100 past steps of every weight: the net alone pickles to
    # about 20 MB here, for 0.1 MB of weights.
    X = np.random.default_rng(0).random((100, 784), dtype=np.float32)
    ae = LinearAE(n_components=30, max_iter=1, init="random", random_state=0).fit(X)
    weight_bytes = sum(p.numel() * p.element_size() for p in ae.module_.parameters())
    assert len(pickle.dumps(ae.net_)) > 20 * weight_bytes  # what pickles held before
    assert len(pickle.dumps(ae)) < 1.1 * weight_bytes
    assert pickle.loads(pickle.dumps(ae)).net_.optimizer_.state_dict()["state"] == {}


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=[n for n, _ in ESTIMATORS])
@pytest.mark.parametrize("fmt", ["pickle", "skops"])
def test_loaded_model_gives_the_same_outputs(name, cls, fmt):
    estimator = fitted(cls)
    loaded, _ = round_trip(estimator, fmt)
    assert type(loaded) is cls and loaded.get_params() == estimator.get_params()
    assert_same_outputs(loaded, estimator)


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=[n for n, _ in ESTIMATORS])
def test_skops_file_names_only_our_class_as_untrusted(name, cls):
    sio = pytest.importorskip("skops.io")
    data = sio.dumps(fitted(cls))
    ours = [f"{cls.__module__}.{cls.__qualname__}"]
    if cls.__name__ == "AutoEncoder":  # and the user's own module classes, nothing else
        ours += [f"{c.__module__}.{c.__qualname__}" for c in (TinyDecoder, TinyEncoder)]
    assert sorted(sio.get_untrusted_types(data=data)) == sorted(ours)


def test_skops_keeps_fitted_attributes_of_every_kind():
    pd = pytest.importorskip("pandas")
    X_train, *_ = digits_split()
    frame = pd.DataFrame(X_train[:200], columns=[f"px{i}" for i in range(64)])
    ae = small(
        StackedAE,
        random_state=np.random.RandomState(0),
        early_stopping=True,
        pretrain="greedy",
        pretrain_max_iter=1,
    ).fit(frame)
    loaded, _ = round_trip(ae, "skops")
    np.testing.assert_array_equal(loaded.feature_names_in_, ae.feature_names_in_)
    assert loaded.pretrain_loss_curves_ == ae.pretrain_loss_curves_
    assert loaded.validation_loss_curve_ == ae.validation_loss_curve_
    assert list(loaded.net_.history[:, "valid_loss"]) == ae.validation_loss_curve_
    np.testing.assert_array_equal(loaded.transform(frame), ae.transform(frame))


def _tamper(data, edit):
    """``data`` (a skops file) with its schema changed by ``edit(schema)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.namelist():
            content = source.read(item)
            if item == "schema.json":
                schema = json.loads(content)
                edit(schema)
                content = json.dumps(schema).encode()
            target.writestr(item, content)
    return out.getvalue()


def _call_eval_instead_of_activation(schema):
    schema["content"]["content"]["activation"] = {
        "__class__": "eval",
        "__module__": "builtins",
        "__loader__": "TypeNode",
        "__id__": 1,
    }


def _object_is_os_system(schema):
    schema["__class__"], schema["__module__"] = "system", "os"


@pytest.mark.parametrize("edit", [_call_eval_instead_of_activation, _object_is_os_system])
def test_tampered_skops_file_is_refused(edit):
    sio = pytest.importorskip("skops.io")
    from skops.io.exceptions import UntrustedTypesFoundException

    data = sio.dumps(fitted(StackedAE))
    trusted = sio.get_untrusted_types(data=data)  # what the user reviewed
    tampered = _tamper(data, edit)
    assert set(sio.get_untrusted_types(data=tampered)) - set(trusted)
    with pytest.raises(UntrustedTypesFoundException, match=r"builtins\.eval|os\.system"):
        sio.loads(tampered, trusted=trusted)


def test_file_whose_weights_do_not_fit_its_parameters_is_a_clear_error():
    state = fitted(StackedAE).__getstate__()
    state["_params_at_fit"] = {**state["_params_at_fit"], "hidden_layer_sizes": (5,)}
    with pytest.raises(ValueError, match="saved weights do not fit"):
        StackedAE.__new__(StackedAE).__setstate__(state)
    state["_params_at_fit"]["activation"] = "os.system"
    with pytest.raises(ValueError, match="activation"):
        StackedAE.__new__(StackedAE).__setstate__(state)


def test_parameters_changed_after_fit_do_not_change_what_loads():
    ae = fitted(StackedAE)
    ae.set_params(hidden_layer_sizes=(5, 5), activation="tanh")
    loaded = pickle.loads(pickle.dumps(ae))
    assert loaded.hidden_layer_sizes == (5, 5)
    assert_same_outputs(loaded, ae)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
@pytest.mark.parametrize("fmt", ["pickle", "skops"])
def test_model_saved_on_cuda_loads_on_cpu(fmt):
    # Stand-in for a CUDA-trained model: the net records device "cuda". The
    # weights are saved as numpy arrays whatever the device, so only the
    # recorded device has to be mapped to this machine's.
    ae = fitted(StackedAE)
    ae.net_.device = "cuda"
    with pytest.warns(UserWarning, match="no CUDA devices"):
        loaded = round_trip(ae, fmt)[0]
    assert str(loaded.net_.device) == "cpu"
    assert next(loaded.module_.parameters()).device.type == "cpu"
    ae.net_.device = "cpu"
    assert_same_outputs(loaded, ae)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_model_fitted_on_cuda_loads_where_cuda_is_absent(monkeypatch):
    ae = fitted(StackedAE, device="cuda")
    data = pickle.dumps(ae)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="no CUDA devices"):
        loaded = pickle.loads(data)
    assert next(loaded.module_.parameters()).device.type == "cpu"
    _, X_test, *_ = digits_split()
    np.testing.assert_allclose(loaded.transform(X_test), ae.transform(X_test), atol=1e-5)


@pytest.mark.parametrize("fmt", ["pickle", "skops"])
def test_warm_start_continues_a_loaded_model_with_a_fresh_optimizer(fmt):
    X_train, *_ = digits_split()
    # A random start: from the PCA start, 10 epochs of this tiny net gain < 5 %.
    ae = fitted(StackedAE, max_iter=5, init="random")
    loaded = round_trip(ae, fmt)[0]
    assert loaded.net_.optimizer_.state_dict()["state"] == {}
    loaded.set_params(warm_start=True, max_iter=10).fit(X_train[:200])
    assert loaded.n_iter_ == 15
    assert loaded.loss_curve_[:5] == ae.loss_curve_
    # Training goes on from the saved weights (a restart would begin above
    # the first epoch's loss) and keeps improving them.
    assert loaded.loss_curve_[5] < 0.5 * (ae.loss_curve_[0] + ae.loss_curve_[4])
    assert loaded.loss_curve_[-1] < 0.95 * ae.loss_curve_[-1]


def test_loading_leaves_the_global_rng_alone():
    data = pickle.dumps(fitted(StackedAE))
    before = torch.random.get_rng_state()
    pickle.loads(data)
    assert torch.equal(torch.random.get_rng_state(), before)


@pytest.mark.parametrize("fmt", ["pickle", "skops"])
def test_unfitted_estimator_round_trips(fmt):
    ae = StackedAE(n_components=3, hidden_layer_sizes=(7,))
    loaded = round_trip(ae, fmt)[0]
    assert loaded.get_params() == ae.get_params()
    assert not hasattr(loaded, "net_")


class ScaledCode(torch.nn.Module):
    """A user's module with a parameter of its own and no ``reset_parameters``."""

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(64, 3)
        self.scale = torch.nn.Parameter(torch.full((3,), 0.5))
        self.register_buffer("offset", torch.arange(3.0))

    def forward(self, x):
        return self.layer(x) * self.scale + self.offset


@pytest.mark.parametrize("fmt", ["pickle", "skops"])
def test_autoencoder_of_module_instances_round_trips(fmt):
    # Instances (not classes) as encoder and decoder: skops cannot store a
    # tensor, so they are saved with numpy arrays in place of their tensors.
    from sklearn.base import clone

    from sklearn_ae import AutoEncoder

    X_train, *_ = digits_split()
    decoder = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Tanh(), torch.nn.Linear(16, 64))
    ae = AutoEncoder(ScaledCode(), decoder, max_iter=2, random_state=0).fit(X_train[:200])
    loaded, untrusted = round_trip(ae, fmt)
    if fmt == "skops":
        # Our class, the user's, and the torch layers the instances are made of.
        assert sorted(untrusted) == sorted(
            [
                "sklearn_ae._custom.AutoEncoder",
                f"{__name__}.ScaledCode",
                "torch.nn.modules.activation.Tanh",
                "torch.nn.modules.container.Sequential",
                "torch.nn.modules.linear.Linear",
            ]
        )
    assert_same_outputs(loaded, ae)
    # The loaded parameters are modules with tensors again, equal to the ones given.
    assert isinstance(loaded.encoder.scale, torch.nn.Parameter)
    torch.testing.assert_close(loaded.encoder.scale, ae.encoder.scale)
    torch.testing.assert_close(loaded.encoder.offset, ae.encoder.offset)
    # ... so that clone + fit of the loaded model is the same fresh model.
    refit = clone(loaded).fit(X_train[:200])
    np.testing.assert_allclose(refit.transform(X_train[:20]), ae.transform(X_train[:20]))


@pytest.mark.parametrize("fmt", ["pickle", "skops"])
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_fine_tuned_estimators_round_trip(fmt, kind):
    from sklearn.frozen import FrozenEstimator

    from sklearn_ae import FineTunedClassifier, FineTunedRegressor

    X_train, X_test, y_train, _ = digits_split()
    ae = fitted(StackedAE)
    if kind == "classifier":
        model = FineTunedClassifier(FrozenEstimator(ae), max_iter=2, random_state=0)
        model.fit(X_train[:300], y_train[:300])
        outputs = model.predict_proba
    else:
        model = FineTunedRegressor(ae, hidden_layer_sizes=(4,), max_iter=2, random_state=0)
        model.fit(X_train[:300], y_train[:300].astype(float))
        outputs = model.predict
    loaded, untrusted = round_trip(model, fmt)
    if fmt == "skops":
        # No torch or skorch type: the net is saved as arrays.
        assert all(t.startswith(("sklearn_ae.", "sklearn.frozen.")) for t in untrusted)
    new_outputs = getattr(loaded, outputs.__name__)
    np.testing.assert_allclose(new_outputs(X_test), outputs(X_test), rtol=1e-6, atol=1e-7)
    assert loaded.loss_curve_ == model.loss_curve_
    assert loaded.net_.optimizer_.state_dict()["state"] == {}


def test_a_loaded_model_predicts_without_importing_torch_dynamo(tmp_path):
    # torch's Optimizer imports torch._dynamo (1-3 s once per process); a model
    # loaded for inference never trains, so its optimizer is never built.
    import subprocess
    import sys

    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(fitted(StackedAE)))
    code = (
        "import pickle, sys; import numpy as np\n"
        f"model = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        "X = np.random.default_rng(0).random((5, model.n_features_in_))\n"
        "model.transform(X); model.inverse_transform(model.transform(X)); model.score(X)\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
