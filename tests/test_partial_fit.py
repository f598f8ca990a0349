"""partial_fit: the same engine as fit, fed block by block, optimizer state kept."""

import contextlib
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from sklearn_ae import ConvAE, DenoisingAE, LinearAE, RecurrentAE, StackedAE, VariationalAE
from sklearn_ae.utils import iter_chunks

from ._helpers import digits_split, recon_mse


def _small(**params):
    return StackedAE(n_components=4, hidden_layer_sizes=(16,), random_state=0, **params)


def _weights(model):
    return [p.detach().clone() for p in model.module_.parameters()]


def _adam_steps(model):
    states = model.net_.optimizer_.state.values()
    return {int(state["step"]) for state in states}


def test_one_call_of_k_epochs_is_fit_with_max_iter_k():
    X = digits_split()[0]
    fitted = _small(max_iter=4).fit(X)
    partial = _small().partial_fit(X, epochs=4)
    assert partial.loss_curve_ == fitted.loss_curve_
    for a, b in zip(_weights(partial), _weights(fitted), strict=True):
        assert torch.equal(a, b)


def test_later_calls_keep_weights_optimizer_state_and_history():
    X = digits_split()[0]  # 1437 rows: 8 batches of <= 200 per pass
    model = _small()
    for block in iter_chunks(X, 700):  # 700, 700, 37 rows: 4 + 4 + 1 batches
        model.partial_fit(block)
    assert model.n_iter_ == 3 and len(model.loss_curve_) == 3
    assert _adam_steps(model) == {9}
    assert model.n_features_in_ == 64
    model.partial_fit(X, epochs=2)
    assert model.n_iter_ == 5 and _adam_steps(model) == {9 + 16}


def test_partial_fit_after_fit_continues_the_fitted_net():
    X = digits_split()[0]
    model = _small(max_iter=3).fit(X)
    before = model.loss_curve_
    model.partial_fit(X)
    assert model.n_iter_ == 4 and model.loss_curve_[:3] == before
    assert model.loss_curve_[3] < before[-1]
    assert _adam_steps(model) == {32}


def test_changed_training_parameters_apply_from_the_next_call():
    # A schedule of one's own: the new rate is used, Adam's moments are kept.
    X = digits_split()[0]
    model = _small().partial_fit(X)
    moments = [s["exp_avg"].clone() for s in model.net_.optimizer_.state.values()]
    model.set_params(learning_rate_init=1e-4, batch_size=100)
    model.partial_fit(X[:100])  # one batch of 100 rows: one step
    assert {g["lr"] for g in model.net_.optimizer_.param_groups} == {1e-4}
    assert model.net_.batch_size == 100 and _adam_steps(model) == {8 + 1}
    # One step from the kept moments (not from zero): 0.9 of the old average remains.
    for before, state in zip(moments, model.net_.optimizer_.state.values(), strict=True):
        assert torch.corrcoef(torch.stack([before.ravel(), state["exp_avg"].ravel()]))[0, 1] > 0.5
    assert model.n_iter_ == 2
    # A new solver starts a fresh optimizer.
    model.set_params(solver="sgd", learning_rate_init=0.01).partial_fit(X[:100])
    assert isinstance(model.net_.optimizer_, torch.optim.SGD)
    assert model.net_.optimizer_.param_groups[0]["lr"] == 0.01 and model.n_iter_ == 3


@pytest.mark.parametrize(
    "change", [dict(n_components=8), dict(hidden_layer_sizes=(32,)), dict(activation="tanh")]
)
def test_a_changed_architecture_is_refused_and_the_model_kept(change):
    X = digits_split()[0]
    model = _small().partial_fit(X)
    codes = model.transform(X[:5])
    model.set_params(**change)
    name = next(iter(change))
    with pytest.raises(ValueError, match=f"partial_fit continues.*{name}=.*Call fit"):
        model.partial_fit(X)
    assert model.n_iter_ == 1
    np.testing.assert_array_equal(model.transform(X[:5]), codes)


def test_blocks_reach_the_error_of_an_in_memory_fit():
    X_train, X_test, *_ = digits_split()
    in_memory = _small(max_iter=10).fit(X_train)
    blocks = _small()
    for _ in range(10):
        for block in iter_chunks(X_train, 400):
            blocks.partial_fit(block)
    assert blocks.n_iter_ == 10 * 4
    ref = recon_mse(in_memory, X_test)
    assert recon_mse(blocks, X_test) == pytest.approx(ref, rel=0.05)


def test_the_stopping_rule_applies_within_a_call_and_never_ends_later_ones():
    X = digits_split()[0]
    # tol=1: no epoch ever improves "enough", so the rule fires after n_iter_no_change.
    # (Not while the model is still near the mean of the data: that plateau
    # does not count, so a quick learning rate leaves it early.)
    model = _small(tol=1.0, n_iter_no_change=2, learning_rate_init=1e-2)
    model.partial_fit(X, epochs=50)
    stopped = model.n_iter_
    assert stopped < 50
    for _ in range(3):
        model.partial_fit(X)
    assert model.n_iter_ == stopped + 3


def test_an_int_random_state_makes_block_training_reproducible():
    X = digits_split()[0][:400]

    def run():
        model = DenoisingAE(n_components=4, hidden_layer_sizes=(16,), random_state=0)
        for _ in range(3):
            model.partial_fit(X)
        return model

    a, b = run(), run()
    assert a.loss_curve_ == b.loss_curve_
    assert len(set(a.loss_curve_)) == 3


@pytest.mark.parametrize(
    "model",
    [
        ConvAE(channels=(4,), n_components=4, random_state=0),
        RecurrentAE(hidden_size=8, n_components=4, random_state=0),
        VariationalAE(hidden_layer_sizes=(16,), n_components=4, random_state=0),
        LinearAE(n_components=4, solver="adam", random_state=0),
    ],
    ids=lambda m: type(m).__name__,
)
def test_every_kind_of_estimator_learns_block_by_block(model):
    X_train, X_test, *_ = digits_split()
    model.partial_fit(X_train[:200])
    first = model.score(X_test)
    for _ in range(3):
        for block in iter_chunks(X_train, 500):
            model.partial_fit(block)
    assert model.n_iter_ == 1 + 3 * 3
    assert model.score(X_test) > first


def test_lbfgs_has_no_partial_fit_and_says_why():
    assert not hasattr(LinearAE(), "partial_fit")
    with pytest.raises(AttributeError) as info:
        LinearAE().partial_fit(digits_split()[0])
    assert "solver='adam'" in str(info.value.__cause__)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"early_stopping": True}, "early_stopping"),
        ({"pretrain": "greedy"}, "pretrain"),
    ],
)
def test_whole_data_features_are_refused(params, match):
    with pytest.raises(ValueError, match=match):
        _small(**params).partial_fit(digits_split()[0])


@pytest.mark.parametrize("epochs", [0, 1.5, True])
def test_bad_epochs(epochs):
    with pytest.raises(ValueError, match="epochs"):
        _small().partial_fit(digits_split()[0], epochs=epochs)


def test_a_failed_call_leaves_the_model_as_it_was(monkeypatch):
    X = digits_split()[0]
    model = _small().partial_fit(X)
    weights, steps, curve = _weights(model), _adam_steps(model), list(model.loss_curve_)
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:, :10])
    # A failure after a whole pass has updated weights, optimizer and history.
    net = model.net_
    run_epoch = net.run_single_epoch

    def run_then_fail(*args, **kwargs):
        run_epoch(*args, **kwargs)
        raise RuntimeError("boom")

    monkeypatch.setattr(net, "run_single_epoch", run_then_fail)
    with pytest.raises(RuntimeError, match="boom"):
        model.partial_fit(X)
    monkeypatch.undo()
    assert model.loss_curve_ == curve and model.n_iter_ == 1
    assert _adam_steps(model) == steps
    for a, b in zip(_weights(model), weights, strict=True):
        assert torch.equal(a, b)
    assert len(model.net_.history) == 1


def test_a_failed_first_call_leaves_the_model_unfitted():
    model = _small()
    with pytest.raises(ValueError):
        model.partial_fit(np.full((10, 3), np.nan))
    assert not hasattr(model, "net_") and not hasattr(model, "n_features_in_")


def test_iter_chunks_blocks():
    X = np.arange(12.0).reshape(6, 2)
    blocks = list(iter_chunks(X, 4))
    assert [b.shape for b in blocks] == [(4, 2), (2, 2)]
    np.testing.assert_array_equal(np.vstack(blocks), X)
    sparse = list(iter_chunks(sp.csr_matrix(X), 4))
    assert all(sp.issparse(b) for b in sparse)
    with pytest.raises(ValueError, match="chunk_size"):
        list(iter_chunks(X, 0))


def _private_bytes():
    # VmData: the process's private writable memory, which RLIMIT_DATA caps;
    # a read-only memmap's pages are file-backed and not part of it.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    pytest.skip("no /proc/self/status")


@contextlib.contextmanager
def _memory_growth_limit(n_bytes):
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (_private_bytes() + n_bytes, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


@pytest.fixture(scope="module")
def mnist_memmap(tmp_path_factory, shared_data):
    from sklearn_ae.datasets import fetch_mnist

    X, _ = fetch_mnist(data_home=shared_data, return_X_y=True, download_if_missing=False)
    # 12000 x 784 float32 = 36 MiB: above glibc's largest mmap threshold (32 MiB),
    # so a copy of the whole array always grows VmData.
    path = tmp_path_factory.mktemp("memmap") / "mnist.npy"
    np.save(path, X[:12000].astype(np.float32))
    X_test = X[-2000:].astype(np.float32)
    return np.load(path, mmap_mode="r"), X_test


def _memmap_run(memmap_path, test_path):
    """The memory-limit scenario; run in a fresh process so that memory freed by
    earlier tests (which malloc reuses without asking the OS) cannot hide the limit."""
    X, X_test = np.load(memmap_path, mmap_mode="r"), np.load(test_path)

    def model():
        return StackedAE(n_components=16, hidden_layer_sizes=(64,), random_state=0)

    # One-off allocations happen before the limit: torch's, the fit checks'
    # sample, and the first block's, which builds the net and its PCA start
    # (a covariance matrix, eigh's LAPACK workspace: about 20-24 MiB that depend
    # on the 784 features, not on the rows, and on the state of malloc's heap).
    model().partial_fit(X[:1000]).partial_fit(X[:1000])
    blocks = model().partial_fit(X[:1000])
    # Training then grows private memory by under 8 MiB (1 MiB most runs); 30 MiB
    # leaves the libraries' allocators that much headroom, and the whole-array
    # copy (36 MiB, always a fresh mmap) still cannot fit.
    limit = 30 * 2**20
    with _memory_growth_limit(limit):
        for epoch in range(3):
            for block in iter_chunks(X[1000:] if epoch == 0 else X, 1000):
                blocks.partial_fit(block)
        # The limit bites: the same fit on the whole array copies it and fails.
        try:
            model().set_params(max_iter=1).fit(X)
        except (MemoryError, RuntimeError):
            pass
        else:
            raise AssertionError("the whole-array fit did not hit the memory limit")
    in_memory = model().set_params(max_iter=3).fit(np.asarray(X).copy())
    assert blocks.n_iter_ == 3 * 12
    assert recon_mse(blocks, X_test) == pytest.approx(recon_mse(in_memory, X_test), rel=0.05)


@pytest.mark.slow  # a fresh process imports torch and trains three epochs
@pytest.mark.skipif(not hasattr(resource, "RLIMIT_DATA"), reason="needs RLIMIT_DATA")
def test_a_memmap_larger_than_the_memory_limit_trains_block_by_block(mnist_memmap, tmp_path):
    X, X_test = mnist_memmap
    np.save(tmp_path / "test.npy", X_test)
    script = (
        "import warnings; warnings.simplefilter('ignore'); "
        "from tests.test_partial_fit import _memmap_run; "
        f"_memmap_run({str(X.filename)!r}, {str(tmp_path / 'test.npy')!r})"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_zarr_blocks_train_exactly_like_the_same_numpy_blocks(tmp_path):
    zarr = pytest.importorskip("zarr")
    X = digits_split()[0].astype(np.float32)
    Z = zarr.open_array(tmp_path / "x.zarr", mode="w", shape=X.shape, chunks=(300, 64), dtype="f4")
    Z[:] = X
    from_zarr, from_numpy = _small(), _small()
    for block in iter_chunks(Z, 300):
        from_zarr.partial_fit(block)
    for block in iter_chunks(X, 300):
        from_numpy.partial_fit(block)
    assert from_zarr.loss_curve_ == from_numpy.loss_curve_
