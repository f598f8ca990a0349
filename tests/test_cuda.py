"""CUDA behaviour; skipped where no GPU is present (CI never has one)."""

import pickle

import numpy as np
import pytest
import torch

from sklearn_ae import StackedAE

from ._helpers import digits_split

cuda = pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason="needs an NVIDIA GPU that torch can use (CUDA); none is visible here",
)


@cuda
def test_cuda_training_matches_cpu_quality_and_returns_numpy():
    X_train, X_test, *_ = digits_split()
    params = dict(n_components=8, max_iter=40, random_state=0)
    gpu = StackedAE(device="cuda", **params).fit(X_train)
    cpu = StackedAE(device="cpu", **params).fit(X_train)
    assert str(gpu.net_.device).startswith("cuda")
    assert next(gpu.module_.parameters()).is_cuda
    codes = gpu.transform(X_test)
    assert isinstance(codes, np.ndarray) and codes.dtype == np.float64
    assert -gpu.score(X_test) == pytest.approx(-cpu.score(X_test), rel=0.1)


@cuda
def test_cuda_model_round_trips_through_pickle():
    X_train, X_test, *_ = digits_split()
    ae = StackedAE(n_components=4, max_iter=5, device="cuda", random_state=0).fit(X_train)
    loaded = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(loaded.transform(X_test), ae.transform(X_test))


@cuda
def test_auto_device_picks_cuda():
    X_train, *_ = digits_split()
    ae = StackedAE(max_iter=1, device="auto", random_state=0).fit(X_train)
    assert str(ae.net_.device).startswith("cuda")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_request_without_cuda_is_a_clear_error():
    X_train, *_ = digits_split()
    with pytest.raises(ValueError, match="CUDA is not available"):
        StackedAE(max_iter=1, device="cuda").fit(X_train)
