"""Nothing lost on a failed call, nothing trusted from a file (issue 25).

Failed refits of the fine-tuned estimators, their fit checks, Ctrl-C in
``partial_fit``, tampered and half-written files, negative strides, and
parameter values that used to fail inside torch.
"""

import io
import json
import os
import pickle
import signal
import time
import warnings
import zipfile

import numpy as np
import pytest
import torch
from sklearn.frozen import FrozenEstimator
from torch import nn

from sklearn_ae import (
    AutoEncoder,
    ConvAE,
    FineTunedClassifier,
    FineTunedRegressor,
    RecurrentAE,
    StackedAE,
    _supervised,
)
from sklearn_ae.utils import all_estimators, save

from ._helpers import digits_split
from ._helpers import tiny_estimator as _tiny

X_ALL, _, Y_ALL, _ = digits_split()
X, Y = X_ALL[:120], Y_ALL[:120]
SMALL = dict(n_components=4, hidden_layer_sizes=(8,), random_state=0)


@pytest.fixture(scope="module")
def encoder():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a short fit: the autouse filter is per test
        return StackedAE(max_iter=5, **SMALL).fit(X)


def _fine_tuned(cls, encoder, **params):
    return cls(FrozenEstimator(encoder), **{"max_iter": 5, "random_state": 0, **params})


def _state(est):
    """Everything a fitted estimator holds, as comparable plain data."""
    state = pickle.loads(pickle.dumps(est)).__getstate__()
    return pickle.dumps({k: v for k, v in state.items() if k != "autoencoder_"})


def _sigint():
    """A real Ctrl-C: SIGINT through Python's own handler."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        signal.raise_signal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupt_in_epoch(monkeypatch, net_class, epoch, batches_per_epoch):
    """Ctrl-C in the first batch of ``epoch`` (from 1) of training through ``net_class``."""
    calls = {"n": 0}
    original = net_class.train_step

    def step(self, batch, **kwargs):
        calls["n"] += 1
        if calls["n"] == (epoch - 1) * batches_per_epoch + 1:
            _sigint()
        return original(self, batch, **kwargs)

    monkeypatch.setattr(net_class, "train_step", step)


# ---------------------------------------------------- 1. failed refits
def test_failed_refit_leaves_a_fine_tuned_classifier_as_it_was(encoder):
    # Before: classes_ became ['a' 'b' 'c' 'd'] and predict returned 'b'.
    clf = _fine_tuned(FineTunedClassifier, encoder).fit(X, Y)
    before, predicted = _state(clf), clf.predict(X)
    letters = np.array(list("abcd") * 30)
    for bad in (letters[:-1], np.full(len(X), np.nan), None):
        with pytest.raises(ValueError), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # sklearn's cast of NaN labels
            clf.fit(X, bad)
        assert _state(clf) == before
    np.testing.assert_array_equal(clf.predict(X), predicted)


def test_failed_refit_leaves_a_fine_tuned_regressor_as_it_was(encoder):
    # Before: after a failed fit(X, Y2d[:-1]) it predicted shape (n, 1).
    reg = _fine_tuned(FineTunedRegressor, encoder).fit(X, X[:, 20])
    before = _state(reg)
    with pytest.raises(ValueError, match="samples"):
        reg.fit(X, X[:-1, 20:21])
    assert _state(reg) == before and reg.predict(X).shape == (len(X),)


# ------------------------------------------------------ 2. fit checks
@pytest.mark.parametrize("cls", [FineTunedClassifier, FineTunedRegressor])
def test_fine_tuned_divergence_and_unscaled_data_are_not_silent(encoder, cls):
    y = Y if cls is FineTunedClassifier else X[:, 20]
    # Before: loss_curve_ 0.69, 5.9e27, ... and accuracy 0.5, no word.
    with pytest.raises(FloatingPointError, match=r"diverged.*learning_rate_init"):
        _fine_tuned(cls, encoder, learning_rate_init=1e6).fit(X, y)
    # Before: trained silently on 1e16, overflowed numpy on a 1e39 cell.
    with pytest.raises(ValueError, match="Scale the data"):
        _fine_tuned(cls, encoder).fit(X * 1e16, y)
    X_big = X.copy()
    X_big[3, 5] = 1e39
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=r"1e\+39"):
            _fine_tuned(cls, encoder).fit(X_big, y)


def test_fine_tuned_fit_that_learns_passes_its_checks_silently(encoder):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = _fine_tuned(FineTunedClassifier, encoder, max_iter=60, learning_rate_init=0.01)
        clf.fit(X, Y)
    assert clf.score(X, Y) > 0.5  # chance is 0.1


# ------------------------------------------------------------ 3. Ctrl-C
def test_ctrl_c_in_partial_fit_keeps_completed_passes(monkeypatch):
    reference = StackedAE(**SMALL).partial_fit(X, epochs=2)
    callbacks_epoch = {"n": 0}
    from skorch.callbacks import Callback

    class CtrlCInEpoch3(Callback):
        def on_epoch_begin(self, net, **kwargs):
            callbacks_epoch["n"] += 1
            if callbacks_epoch["n"] == 3:
                _sigint()

    ae = StackedAE(callbacks=[CtrlCInEpoch3()], **SMALL)
    with pytest.raises(KeyboardInterrupt):
        ae.partial_fit(X, epochs=40)
    # Before: back to unfitted. Now the two passes completed, exactly.
    assert ae.n_iter_ == len(ae.loss_curve_) == 2
    for a, b in zip(ae.module_.parameters(), reference.module_.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    # A later call on a fitted model keeps its completed passes too.
    callbacks_epoch["n"] = 0
    before = [p.detach().clone() for p in ae.module_.parameters()]
    with pytest.raises(KeyboardInterrupt):
        ae.partial_fit(X, epochs=40)
    assert ae.n_iter_ == len(ae.loss_curve_) == 4
    assert any(not torch.equal(a, b) for a, b in zip(before, ae.module_.parameters(), strict=True))


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_ctrl_c_in_fine_tuning_keeps_completed_epochs(monkeypatch, encoder, method):
    # 120 rows in batches of 64: two batches per epoch; Ctrl-C in epoch 3.
    params = dict(batch_size=64)
    run = (
        (lambda est, n: est.fit(X, Y))
        if method == "fit"
        else (lambda est, n: est.partial_fit(X, Y, classes=np.arange(10), epochs=n))
    )
    reference = run(_fine_tuned(FineTunedClassifier, encoder, max_iter=2, **params), 2)
    _interrupt_in_epoch(monkeypatch, _supervised.ClassifierNet, 3, 2)
    clf = _fine_tuned(FineTunedClassifier, encoder, max_iter=40, **params)
    with pytest.raises(KeyboardInterrupt):
        run(clf, 40)
    # Before: nothing kept (n_iter_ and the weights as before the call).
    assert clf.n_iter_ == len(clf.loss_curve_) == 2
    assert clf.loss_curve_ == reference.loss_curve_
    for a, b in zip(
        clf.net_.module_.parameters(), reference.net_.module_.parameters(), strict=True
    ):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert clf.predict(X).shape == (len(X),)


# ------------------------------------------- 8 (issue 24). partial_fit
def test_fine_tuned_partial_fit_as_mlp_classifier(encoder):
    clf = _fine_tuned(FineTunedClassifier, encoder, learning_rate_init=0.01)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, Y)
    assert not hasattr(clf, "net_")
    classes = np.arange(10)
    blocks = np.array_split(np.arange(len(X)), 3)
    for _ in range(15):
        for rows in blocks:
            clf.partial_fit(X[rows], Y[rows], classes=classes)
    assert clf.n_iter_ == len(clf.loss_curve_) == 45
    assert clf.score(X, Y) > 0.5  # chance is 0.1
    before = _state(clf)
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(X[:5], np.full(5, 11))
    with pytest.raises(ValueError, match="differs from classes_"):
        clf.partial_fit(X[:5], Y[:5], classes=np.arange(5))
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        clf.set_params(hidden_layer_sizes=(4,)).partial_fit(X, Y)
    clf.set_params(hidden_layer_sizes=())
    assert _state(clf) == before
    # Epochs on the existing weights: more passes in one call.
    clf.partial_fit(X, Y, epochs=3)
    assert clf.n_iter_ == 48


def test_fine_tuned_regressor_partial_fit_continues_after_fit(encoder):
    target = X[:, :32].mean(axis=1) * 4
    reg = _fine_tuned(FineTunedRegressor, encoder, learning_rate_init=0.01).fit(X, target)
    first = reg.score(X, target)
    reg.partial_fit(X, target, epochs=8)  # fewer than n_iter_no_change: all of them run
    assert reg.n_iter_ == 13 and reg.score(X, target) > first
    before = _state(reg)
    with pytest.raises(ValueError, match="shape"):
        reg.partial_fit(X, np.c_[target, target])
    assert _state(reg) == before


# ------------------------------------------------------------ 4. files
def _edit_schema(data, edit):
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "schema.json":
                content = json.dumps(edit(json.loads(content))).encode()
            target.writestr(item, content)
    return out.getvalue()


def _set_everywhere(node, key, value):
    """Set every JSON leaf under ``key`` (a tuple's items too) to ``value``."""
    if isinstance(node, dict):
        if key in node:
            leaves = node[key].get("content")
            for leaf in leaves if isinstance(leaves, list) else [node[key]]:
                leaf["content"] = value
        for child in node.values():
            _set_everywhere(child, key, value)
    elif isinstance(node, list):
        for child in node:
            _set_everywhere(child, key, value)
    return node


@pytest.mark.parametrize(
    "key, value, match",
    [
        ("hidden_layer_sizes", "2500000", "weight .* has shape"),
        ("hidden_layer_sizes", str(10**10), "weight .* has shape"),  # before: 640 GB asked
        ("n_components", str(10**9), "weight .* has shape"),
        ("n_features_in_", "-5", "n_features_in_=-5"),  # before: failed inside torch
    ],
)
def test_tampered_skops_file_is_refused_before_building(key, value, match):
    sio = pytest.importorskip("skops.io")
    data = sio.dumps(StackedAE(max_iter=2, **SMALL).fit(X))
    tampered = _edit_schema(data, lambda schema: _set_everywhere(schema, key, value))
    start = time.perf_counter()
    with pytest.raises(ValueError, match=match):
        sio.loads(tampered, trusted=["sklearn_ae._stacked.StackedAE"])
    assert time.perf_counter() - start < 1.0  # no 360 MB allocation first


def test_tampered_fine_tuned_head_is_refused_before_building(encoder):
    clf = _fine_tuned(FineTunedClassifier, encoder).fit(X, Y)
    state = clf.__getstate__()
    state["n_outputs_"] = 10**10
    with pytest.raises(ValueError, match=r"weight .* has shape"):
        FineTunedClassifier.__new__(FineTunedClassifier).__setstate__(state)


def test_save_is_whole_or_nothing(tmp_path, monkeypatch):
    sio = pytest.importorskip("skops.io")
    ae = StackedAE(max_iter=2, **SMALL).fit(X)
    path = tmp_path / "ae.skops"
    save(ae, path)
    loaded = sio.load(path, trusted=["sklearn_ae._stacked.StackedAE"])
    np.testing.assert_array_equal(loaded.transform(X), ae.transform(X))
    saved_bytes = path.read_bytes()

    def disk_full(obj, file, **kwargs):
        file.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sio, "dump", disk_full)
    with pytest.raises(OSError, match="No space"):
        save(ae, path)
    with pytest.raises(OSError, match="No space"):
        save(ae, tmp_path / "new.skops")
    # The earlier file is intact, no partial file or temporary is left.
    assert path.read_bytes() == saved_bytes
    assert sorted(os.listdir(tmp_path)) == ["ae.skops"]


# ---------------------------------------------------- 5. negative strides
@pytest.mark.parametrize("name, cls", all_estimators(), ids=[n for n, _ in all_estimators()])
def test_negative_stride_arrays_are_accepted_everywhere(name, cls):
    data = X[:40].reshape(-1, 8, 8) if cls is ConvAE else X[:40]
    flipped = np.flip(data, 0)  # before: torch's "negative strides" error
    assert any(s < 0 for s in flipped.strides)
    ae = _tiny(cls, max_iter=2).fit(flipped)
    ae.partial_fit(data[::-1]) if ae.solver != "lbfgs" else None
    codes = ae.transform(flipped)
    np.testing.assert_allclose(codes, ae.transform(data.copy())[::-1], rtol=1e-6, atol=1e-7)
    assert ae.inverse_transform(codes[::-1]).shape[0] == len(data)
    assert np.isfinite(ae.score(flipped))


def test_negative_stride_arrays_in_fine_tuned_estimators(encoder):
    clf = _fine_tuned(FineTunedClassifier, encoder).fit(X[::-1], Y[::-1])
    np.testing.assert_array_equal(clf.predict(X[::-1]), clf.predict(X)[::-1])
    assert 0 <= clf.score(np.flip(X, 0), Y[::-1]) <= 1
    reg = _fine_tuned(FineTunedRegressor, encoder).fit(X, X[:, 20])
    np.testing.assert_allclose(reg.predict(X[::-1]), reg.predict(X)[::-1], rtol=1e-6)
    clf.partial_fit(X[::-1], Y[::-1])


# ------------------------------------------- 6. parameters torch refused
@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: StackedAE(n_jobs=0), "'n_jobs'.*positive"),
        (lambda: StackedAE(device="meta"), "'device'.*'cpu'"),
        (lambda: RecurrentAE(hidden_layer_sizes=()), "'hidden_layer_sizes'.*at least 1"),
        (lambda: RecurrentAE(n_components=True), "'n_components'.*not a bool"),
        (
            lambda: AutoEncoder(nn.Linear(64, 1), nn.Linear(1, 64), n_components=True),
            "'n_components'.*not a bool",
        ),
        (lambda: AutoEncoder(nn.Linear(64, 2), nn.Linear(3, 64)), "decoder fails on codes"),
        (lambda: AutoEncoder(nn.Identity(), nn.Identity()), "no trainable parameters"),
    ],
    ids=["n_jobs=0", "meta", "no-layers", "recurrent-bool", "custom-bool", "width", "identity"],
)
def test_parameters_torch_cannot_use_are_refused_by_name(make, match):
    with pytest.raises(ValueError, match=match):
        make().set_params(max_iter=1).fit(X[:20])


@pytest.mark.parametrize("name, cls", all_estimators(), ids=[n for n, _ in all_estimators()])
def test_bool_n_components_is_refused_by_every_estimator(name, cls):
    # Before: a torch TypeError, or (RecurrentAE, AutoEncoder) silently 1.
    est = _tiny(cls).set_params(n_components=True)
    data = X[:20].reshape(-1, 8, 8) if cls is ConvAE else X[:20]
    with pytest.raises(ValueError, match=r"'n_components'.*not a bool"):
        est.fit(data)
    with pytest.raises(ValueError, match=r"'max_iter'.*not a bool"):
        FineTunedClassifier(est, max_iter=True).fit(data, Y[:20])
