"""skorch callbacks passed through ``callbacks``, and the ``verbose`` progress output."""

import io
import re

import numpy as np
import pytest
import torch
from sklearn.base import clone
from skorch.callbacks import Callback, Checkpoint, EpochScoring, LRScheduler

from sklearn_ae import StackedAE
from sklearn_ae._net import ProgressLog

from ._helpers import digits_split

SMALL = dict(n_components=2, hidden_layer_sizes=(16,), max_iter=5, tol=0.0, random_state=0)


class HeldOutError(Callback):
    """A custom metric: reconstruction MSE of fixed rows, written to the history."""

    def __init__(self, X):
        self.X = X

    def on_epoch_end(self, net, **kwargs):
        self.epochs_seen_ = getattr(self, "epochs_seen_", 0) + 1
        x = torch.as_tensor(self.X, dtype=torch.float32)
        with torch.no_grad():
            recon = net.criterion_.output(net.module_(x)["recon"])
        net.history.record("held_out_mse", float(((recon - x) ** 2).mean()))


def test_checkpoint_saves_the_best_epoch(tmp_path):
    X, *_ = digits_split()
    checkpoint = Checkpoint(monitor="train_loss_best", dirname=str(tmp_path))
    ae = StackedAE(callbacks=[checkpoint], **SMALL).fit(X)
    assert {"params.pt", "optimizer.pt", "history.json"} <= {p.name for p in tmp_path.iterdir()}
    saved = torch.load(tmp_path / "params.pt")
    best = int(np.argmin(ae.loss_curve_))
    assert ae.net_.history[best, "event_cp"] is True  # the loss fell every epoch here
    for name, value in ae.module_.state_dict().items():
        torch.testing.assert_close(saved[name], value)


def test_lr_scheduler_steps_the_rate_each_epoch():
    X, *_ = digits_split()
    scheduler = LRScheduler(policy="StepLR", step_size=2, gamma=0.1)
    ae = StackedAE(callbacks=[("step", scheduler)], **SMALL).fit(X)
    np.testing.assert_allclose(ae.net_.history[:, "event_lr"], [1e-3, 1e-3, 1e-4, 1e-4, 1e-5])
    assert ae.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-5)


def test_custom_metrics_reach_the_history():
    X_train, X_test, *_ = digits_split()
    metric = HeldOutError(X_test)
    rows = EpochScoring(lambda net, X, y: len(X), on_train=True, name="rows", use_caching=False)
    ae = StackedAE(callbacks=[metric, rows], **SMALL).fit(X_train)
    curve = ae.net_.history[:, "held_out_mse"]
    assert len(curve) == 5 and curve[-1] < curve[0]
    assert curve[-1] == pytest.approx(((ae.reconstruct(X_test) - X_test) ** 2).mean(), rel=1e-5)
    assert ae.net_.history[:, "rows"] == [len(X_train)] * 5
    # The parameter itself is never trained: each fit works on a copy.
    assert not hasattr(metric, "epochs_seen_")
    assert ae.callbacks[0] is metric


def test_fitted_callbacks_are_read_back_by_name(tmp_path):
    X_train, X_test, *_ = digits_split()
    metric = HeldOutError(X_test)
    checkpoint = Checkpoint(monitor="train_loss_best", dirname=str(tmp_path))
    ae = StackedAE(callbacks=[metric, ("best", checkpoint)], **SMALL).fit(X_train)
    fitted = ae.callbacks_
    # The user's callbacks only, under skorch's name or the one given.
    assert list(fitted) == ["HeldOutError", "best"]
    assert fitted["HeldOutError"].epochs_seen_ == 5 and not hasattr(metric, "epochs_seen_")
    # The loss fell every epoch, so the checkpoint's last save is the last epoch.
    assert fitted["best"] is not checkpoint
    assert ae.net_.history[-1, "event_cp"] is True
    assert StackedAE(**SMALL).fit(X_train).callbacks_ == {}
    with pytest.raises(AttributeError):
        _ = StackedAE().callbacks_


def test_estimator_with_callbacks_clones_and_refits_identically():
    X_train, X_test, *_ = digits_split()
    ae = StackedAE(callbacks=[HeldOutError(X_test)], **SMALL).fit(X_train)
    copy = clone(ae).fit(X_train)
    assert copy.callbacks[0] is not ae.callbacks[0]
    assert copy.net_.history[:, "held_out_mse"] == ae.net_.history[:, "held_out_mse"]


def test_tensorboard_logs_the_losses(tmp_path):
    pytest.importorskip("tensorboard")
    from skorch.callbacks import TensorBoard
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from torch.utils.tensorboard import SummaryWriter

    X, *_ = digits_split()
    writer = SummaryWriter(str(tmp_path))
    ae = StackedAE(callbacks=[TensorBoard(writer)], **SMALL).set_output(transform="pandas")
    # The open writer's thread lock cannot be deep-copied: clone (GridSearchCV)
    # shares the writer and copies the rest, as a fit does.
    copy = clone(ae)
    assert copy.callbacks[0] is not ae.callbacks[0] and copy.callbacks[0].writer is writer
    assert copy.get_params()["n_components"] == ae.n_components
    assert copy._sklearn_output_config == {"transform": "pandas"}
    ae.fit(X)
    events = EventAccumulator(str(tmp_path))
    events.Reload()
    logged = [e.value for e in events.Scalars("Loss/train_loss")]
    np.testing.assert_allclose(logged, ae.loss_curve_, rtol=1e-6)


def test_callbacks_must_be_skorch_callbacks():
    X, *_ = digits_split()
    with pytest.raises(TypeError, match="skorch callbacks"):
        StackedAE(callbacks=[print], **SMALL).fit(X)


def test_greedy_stages_run_without_the_users_callbacks():
    X = digits_split()[0][:300]
    ae = StackedAE(
        callbacks=[HeldOutError(X[:10])],
        pretrain="greedy",
        pretrain_max_iter=2,
        **{**SMALL, "hidden_layer_sizes": (16, 8)},
    ).fit(X)
    assert len(ae.net_.history[:, "held_out_mse"]) == ae.n_iter_ == 5


def test_verbose_lines_stay_aligned(capsys):
    X, *_ = digits_split()
    ae = StackedAE(verbose=True, learning_rate="cosine", **{**SMALL, "max_iter": 12})
    ae.fit(X)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 12 and lines[0].startswith("epoch    1/12")
    for key in ("loss ", "lr ", "s"):
        columns = {line.rindex(key) if key == "s" else line.index(key) for line in lines}
        assert len(columns) == 1, (key, lines)
    assert re.search(r"lr 0\.001 ", lines[0]) and float(lines[-1].split()[1].split("/")[0]) == 12


def test_progress_bar_shows_loss_and_eta():
    X, *_ = digits_split()
    out = io.StringIO()
    net = StackedAE(max_iter=1, **{k: v for k, v in SMALL.items() if k != "max_iter"})
    net = net._make_net(X.shape[1], torch.device("cpu"), len(X))
    net.callbacks_ = [("bar", ProgressLog(3, file=out, bar=True).initialize())]
    net.max_epochs = 3
    net.partial_fit(X.astype(np.float32))
    text = out.getvalue()
    # tqdm's bar: epochs done, elapsed<remaining, and the loss as a postfix.
    assert "3/3" in text and re.search(r"\d\d:\d\d<\d\d:\d\d", text)
    assert re.search(r"loss=0\.\d+", text) and text.count("epoch ") >= 3


def test_verbose_estimator_pickles(capsys):
    import pickle

    X, *_ = digits_split()
    ae = StackedAE(verbose=True, **SMALL).fit(X)
    again = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(again.transform(X), ae.transform(X))
