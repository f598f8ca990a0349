"""Dask: dask-ml's Incremental over a dask array, and a grid search on a local cluster."""

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV

from sklearn_ae import StackedAE
from sklearn_ae.utils import iter_chunks

from ._helpers import digits_split

da = pytest.importorskip("dask.array")


def _small(**params):
    return StackedAE(n_components=4, hidden_layer_sizes=(16,), random_state=0, **params)


def test_dask_ml_incremental_trains_block_by_block_like_a_partial_fit_loop():
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X_train, X_test, *_ = digits_split()
    model = wrappers.Incremental(_small(), shuffle_blocks=False)
    model.fit(da.from_array(X_train, chunks=(400, 64)))
    model.partial_fit(da.from_array(X_train, chunks=(400, 64)))  # a second epoch
    loop = _small()
    for _ in range(2):
        for block in iter_chunks(X_train, 400):
            loop.partial_fit(block)
    assert model.estimator_.n_iter_ == 8
    assert model.estimator_.loss_curve_ == loop.loss_curve_
    codes = model.transform(da.from_array(X_test, chunks=(100, 64)))
    np.testing.assert_allclose(codes.compute(), loop.transform(X_test))


class ThreadRecordingAE(StackedAE):
    """Records torch's thread count where fit computes (just before training)."""

    def _pretrain(self, net, data):
        self.fit_threads_ = torch.get_num_threads()
        return super()._pretrain(net, data)


def _fit_threads(estimator, X, y=None):
    return estimator.fit_threads_


def _search():
    return GridSearchCV(
        # n_jobs=-1: every thread the process may use, which is what is checked.
        ThreadRecordingAE(hidden_layer_sizes=(16,), max_iter=3, n_jobs=-1, random_state=0),
        {"n_components": [2, 8]},
        cv=2,
        n_jobs=-1,
        scoring={"score": lambda est, X, y=None: est.score(X), "threads": _fit_threads},
        refit="score",
    )


@pytest.mark.slow  # two worker processes import torch
def test_grid_search_on_a_local_dask_cluster(monkeypatch):
    pytest.importorskip("dask_ml")  # the `dask` extra
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_backend

    X = digits_split()[0][:600]
    local = _search().set_params(n_jobs=1).fit(X)
    # Workers that are not told how many threads to use: no OMP_NUM_THREADS
    # inherited from here nor set by the nannies (Dask's default sets it).
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    with (
        dask.config.set({"distributed.nanny.pre-spawn-environ": {}}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        worker_default = min(client.run(torch.get_num_threads).values())
        with parallel_backend("dask"):
            search = _search().fit(X)
        after = client.run(torch.get_num_threads)
    assert search.best_params_ == local.best_params_
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"], rtol=1e-6
    )
    # Each fit used its worker's one core, whatever torch would have taken.
    assert set(search.cv_results_["mean_test_threads"]) == {1.0}
    assert min(after.values()) == worker_default  # and gave the threads back
