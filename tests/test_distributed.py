"""Data-parallel training: 2 CPU processes on gloo match one process."""

import contextlib
import socket

import numpy as np
import pytest
import torch
import torch.distributed as dist

from sklearn_ae import LinearAE, StackedAE, data_parallel

from ._helpers import digits_split

pytestmark = pytest.mark.skipif(not dist.is_available(), reason="torch without distributed")

# 1401 rows in minibatches of 200: the last one has a single row, so one of
# two processes gets none.
N_ROWS = 1401
PARAMS = dict(n_components=4, hidden_layer_sizes=(16,), max_iter=4, batch_size=200)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _process_group(rank, world_size, port):
    url = f"tcp://127.0.0.1:{port}"
    dist.init_process_group("gloo", init_method=url, rank=rank, world_size=world_size)
    try:
        yield
    finally:
        dist.destroy_process_group()


def _train(rank, world_size, port, out_dir):
    torch.set_num_threads(1)
    X = digits_split()[0][:N_ROWS]
    with _process_group(rank, world_size, port), data_parallel():
        seeded = StackedAE(random_state=0, **PARAMS).fit(X)
        # Unseeded, with a validation split drawn from the random stream.
        unseeded = StackedAE(early_stopping=True, **PARAMS).fit(X)
    torch.save(
        {
            "seeded": seeded.module_.state_dict(),
            "loss_curve": seeded.loss_curve_,
            "unseeded": unseeded.module_.state_dict(),
            "validation": unseeded.validation_loss_curve_,
        },
        out_dir / f"rank{rank}.pt",
    )


@pytest.mark.slow  # two fresh processes import torch
def test_two_processes_match_one_process_fit_of_the_same_minibatches(tmp_path):
    mp = pytest.importorskip("torch.multiprocessing")
    mp.spawn(_train, args=(2, _free_port(), tmp_path), nprocs=2, join=True)
    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in range(2)]
    single = StackedAE(random_state=0, **PARAMS).fit(digits_split()[0][:N_ROWS])
    np.testing.assert_allclose(ranks[0]["loss_curve"], single.loss_curve_, rtol=1e-5)
    for name, value in single.module_.state_dict().items():
        torch.testing.assert_close(ranks[0]["seeded"][name], value, rtol=1e-4, atol=1e-5)
    # Every process ends with the same model, seeded or not.
    for key in ("seeded", "unseeded"):
        for name, value in ranks[0][key].items():
            assert torch.equal(ranks[1][key][name], value)
    assert ranks[0]["validation"] == ranks[1]["validation"]
    assert ranks[0]["loss_curve"] == ranks[1]["loss_curve"]


def test_one_process_group_of_one_is_a_plain_fit():
    X = digits_split()[0][:N_ROWS]
    with _process_group(0, 1, _free_port()), data_parallel():
        parallel = StackedAE(random_state=0, **PARAMS).fit(X)
        with pytest.raises(ValueError, match="stochastic optimizer"):
            LinearAE().fit(X)
    plain = StackedAE(random_state=0, **PARAMS).fit(X)
    assert parallel.loss_curve_ == plain.loss_curve_
    assert parallel.net_.ddp_ is None  # nothing left that cannot be pickled
    np.testing.assert_array_equal(parallel.transform(X), plain.transform(X))


def test_without_a_process_group_it_says_how_to_launch(monkeypatch):
    for name in ("RANK", "WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="torchrun"), data_parallel():
        pass
