"""The neighbour-preserving loss term (neighbor_loss="umap" / "tsne")."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.manifold import trustworthiness
from sklearn.neighbors import KNeighborsClassifier

from sklearn_ae import ConvAE, StackedAE
from sklearn_ae._neighbors import NeighborLoss, fuzzy_graph, nearest_neighbors, tsne_graph

from ._helpers import digits_split

# The defaults: learning_rate_init="auto" (0.03 with the term), the PCA start,
# n_neighbors=None (45 for "tsne"), tol="auto" (1e-3 with the term: 85 epochs,
# 15 s on a loaded 2-core machine) and the average of the last weights.
FAST = dict(n_components=2, random_state=0)


def _fit_quietly(model, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X)


def _scores(model):
    X_train, X_test, y_train, y_test = digits_split()
    codes = model.transform(X_test)
    knn = KNeighborsClassifier(5).fit(model.transform(X_train), y_train)
    return trustworthiness(X_test, codes, n_neighbors=5), knn.score(codes, y_test)


# Warnings of the default t-SNE fit (the fixture below), for the test that
# a working map raises no false alarm.
_TSNE_WARNINGS = []


@pytest.fixture(scope="module")
def tsne_model():
    X_train, *_ = digits_split()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = StackedAE(neighbor_loss="tsne", **FAST).fit(X_train)
    _TSNE_WARNINGS[:] = [str(w.message) for w in caught]
    return model


@pytest.fixture(scope="module")
def plain_scores():
    X_train, *_ = digits_split()
    return _scores(_fit_quietly(StackedAE(**FAST), X_train))


def test_graphs_are_symmetric_and_weighted_as_documented():
    X_train, *_ = digits_split()
    indices, distances = nearest_neighbors(X_train[:300], 10)
    assert indices.shape == distances.shape == (300, 10)
    assert not (indices == np.arange(300)[:, None]).any()  # no row is its own neighbour
    assert (np.diff(distances, axis=1) >= 0).all()
    W = fuzzy_graph(indices, distances).tocsr()
    assert abs(W - W.T).max() < 1e-12
    assert W.max() <= 1.0 and W.min() >= 0.0
    P = tsne_graph(indices, distances, perplexity=10 / 3).tocsr()
    assert abs(P - P.T).max() < 1e-15
    assert P.sum() == pytest.approx(1.0)


def test_large_data_are_projected_before_the_neighbour_search(monkeypatch):
    import sklearn_ae._neighbors as neighbors

    X_train, *_ = digits_split()
    exact, _ = nearest_neighbors(X_train, 5)
    monkeypatch.setattr(neighbors, "_EXACT_BUDGET", 0)
    monkeypatch.setattr(neighbors, "_PROJECTED_DIM", 20)
    approx, _ = nearest_neighbors(X_train, 5, random_state=0)
    shared = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(exact, approx, strict=True)])
    assert 0.6 < shared < 1.0  # most neighbours kept, but found on a projection
    sparse, _ = nearest_neighbors(sp.csr_matrix(X_train), 5, random_state=0)
    assert sparse.shape == exact.shape


def test_tsne_term_keeps_held_out_neighbours(tsne_model, plain_scores):
    trust, acc = _scores(tsne_model)
    plain_trust, plain_acc = plain_scores
    # Measured 0.964 / 0.953 (seeds 1 and 2: 0.939 and 0.957; 0.938 / 0.933
    # at tol=1e-2 without the average; plain StackedAE 0.89). openTSNE's
    # transform reaches 0.975 on these rows; the target of 0.97 is
    # not met (RESULTS_neighbors.md).
    assert trust >= 0.95, trust  # the old defaults: 0.938
    assert acc >= 0.93, acc
    assert trust > plain_trust + 0.03, (trust, plain_trust)
    assert acc > plain_acc + 0.1, (acc, plain_acc)
    term = next(t for t in tsne_model.net_.penalties if isinstance(t, NeighborLoss))
    # What the defaults resolve to.
    assert (term.n_neighbors, tsne_model.net_.lr) == (45, 0.03)
    assert dict(tsne_model.net_.callbacks_)["convergence"].tol == 1e-3
    assert tsne_model.n_iter_ > 40  # tol=1e-2 stopped at 27 epochs


def test_a_fit_with_the_term_ends_on_the_average_of_its_weights():
    from skorch.callbacks import Callback

    class LastWeights(Callback):
        def on_epoch_end(self, net, **kwargs):
            self.state = {k: v.clone() for k, v in net.module_.state_dict().items()}

    X_train, *_ = digits_split()
    params = dict(FAST, max_iter=5, neighbor_loss="tsne", callbacks=[LastWeights()])
    model = _fit_quietly(StackedAE(**params), X_train)
    last = next(cb for _, cb in model.net_.callbacks_ if isinstance(cb, LastWeights))
    fitted = model.net_.module_.state_dict()
    weight = "encoder_layers.0.weight"
    drift = float((fitted[weight] - last.state[weight]).abs().max())
    step = float(last.state[weight].abs().max())
    assert 0 < drift < step  # averaged: not the last step's weights, but near them
    plain = _fit_quietly(StackedAE(**dict(params, neighbor_loss=None)), X_train)
    assert "average" not in dict(plain.net_.callbacks_)  # only with the term
    assert dict(plain.net_.callbacks_)["convergence"].tol == 1e-2  # tol="auto" alone


def test_the_default_rate_is_what_makes_the_map(tsne_model):
    X_train, *_ = digits_split()
    # The same epochs at the rate of the other estimators (0.001) end at a
    # far worse map (0.92): what learning_rate_init="auto" resolves to matters.
    slow = _fit_quietly(
        StackedAE(
            neighbor_loss="tsne", learning_rate_init=1e-3, max_iter=tsne_model.n_iter_, **FAST
        ),
        X_train,
    )
    assert slow.net_.lr == 1e-3
    assert _scores(slow)[0] < _scores(tsne_model)[0] - 0.02


def test_the_default_rate_falls_with_the_width_of_the_net():
    X_train, *_ = digits_split()
    # 0.03 suits the default (128, 64) net; on 60k MNIST rows a (512, 256,
    # 128) net at 0.03 ended at PCA's map, at 0.003-0.01 it made the best map.
    rates = {}
    for hidden in [(128, 64), (512, 256, 128), ()]:
        params = dict(FAST, max_iter=1, hidden_layer_sizes=hidden, neighbor_loss="tsne")
        rates[hidden] = _fit_quietly(StackedAE(**params), X_train[:200]).net_.lr
    assert rates == {(128, 64): 0.03, (512, 256, 128): 0.0075, (): 0.03}
    plain = _fit_quietly(StackedAE(**dict(FAST, max_iter=1, hidden_layer_sizes=(512,))), X_train)
    assert plain.net_.lr == 1e-3  # without the term, the width does not matter


def test_umap_term_beats_the_same_model_without_it(plain_scores):
    X_train, *_ = digits_split()
    # UMAP's loss falls more slowly than the t-SNE one and StackedAE's
    # stopping rule (tol=0.01) ends it at 39 epochs, level with the plain
    # model: a fixed 60 epochs.
    model = _fit_quietly(
        StackedAE(neighbor_loss="umap", max_iter=60, tol=0.0, n_iter_no_change=60, **FAST),
        X_train,
    )
    assert model.net_.penalties[-1].n_neighbors == 15  # n_neighbors=None for "umap"
    trust, acc = _scores(model)
    plain_trust, plain_acc = plain_scores
    assert trust > plain_trust + 0.02, (trust, plain_trust)
    # 5-NN accuracy of the 2-d codes: 0.892 against 0.803 for the plain model
    # since its PCA start lives in its layers (it had less before).
    assert acc > plain_acc + 0.07, (acc, plain_acc)


def test_codes_still_invert(tsne_model):
    _, X_test, *_ = digits_split()
    recon = tsne_model.inverse_transform(tsne_model.transform(X_test))
    mse = float(((recon - X_test) ** 2).mean())
    baseline = float(X_test.var(axis=0).mean())  # predicting the mean pixel
    # 0.049 against the mean's 0.074 at the defaults (rate 0.03); the decoder
    # trained at 0.01 for 40 epochs reached 0.040.
    assert mse < 0.75 * baseline


def test_fitted_model_holds_no_training_rows(tsne_model):
    term = next(t for t in tsne_model.net_.penalties if isinstance(t, NeighborLoss))
    assert term.data_ is None and term.cdf_ is None
    assert len(pickle.dumps(tsne_model)) < 200_000


def test_reproducible_with_int_random_state_and_global_rng_untouched():
    X_train, X_test, *_ = digits_split()
    params = dict(FAST, max_iter=3, neighbor_loss="tsne")
    torch_before = torch.get_rng_state()
    np_before = np.random.get_state()[1].copy()  # noqa: NPY002
    a = _fit_quietly(StackedAE(**params), X_train).transform(X_test)
    b = _fit_quietly(StackedAE(**params), X_train).transform(X_test)
    assert torch.equal(torch.get_rng_state(), torch_before)
    assert np.array_equal(np.random.get_state()[1], np_before)  # noqa: NPY002
    np.testing.assert_array_equal(a, b)
    c = _fit_quietly(StackedAE(**{**params, "random_state": 1}), X_train).transform(X_test)
    assert not np.allclose(a, c)


def test_conv_estimator_takes_the_term():
    X_train, X_test, *_ = digits_split()
    params = dict(FAST, max_iter=2, channels=(4,), neighbor_loss="umap")
    model = _fit_quietly(ConvAE(**params), X_train[:400].reshape(-1, 8, 8))
    assert model.transform(X_test[:5].reshape(-1, 8, 8)).shape == (5, 2)


def test_padded_sequences_train_with_the_term():
    from sklearn_ae import RecurrentAE

    # NaN-padded sequences: the graph reads the padding as 0, as the encoder
    # does (it used to fail in NearestNeighbors with "Input X contains NaN").
    rng = np.random.RandomState(0)
    X = np.cumsum(rng.randn(60, 20, 1), axis=1)
    X[:10, 12:] = np.nan
    params = dict(FAST, max_iter=2, neighbor_loss="tsne", n_neighbors=9)
    model = _fit_quietly(RecurrentAE(**params), X)
    assert np.isfinite(model.transform(X)).all()


def test_sparse_input_trains_with_the_term():
    X_train, X_test, *_ = digits_split()
    dense_graph, _ = nearest_neighbors(X_train, 5)
    sparse_graph, _ = nearest_neighbors(sp.csr_matrix(X_train), 5)
    assert np.mean(dense_graph == sparse_graph) > 0.95  # distance ties may order differently
    # From the default PCA start (sparse rows centred implicitly). The term's first epochs
    # spread the codes faster than the decoder follows: two epochs ended at
    # 1.8x the mean's reconstruction error, which the divergence check took
    # for divergence (FloatingPointError) although the objective fell and
    # the error is back below PCA's within 20 epochs. Now a warning at most
    # (see the next test); the average of the weights, near the start after
    # two epochs, no longer reaches that error here.
    params = dict(FAST, max_iter=2, neighbor_loss="tsne", tol=0.0)
    model = _fit_quietly(StackedAE(**params), sp.csr_matrix(X_train))
    # The PCA start: with a neighbour term, a linear path beside the layers.
    assert model.net_.module_.linear_encoder is not None
    codes = model.transform(X_test)
    assert codes.shape == (len(X_test), 2) and np.isfinite(codes).all()


def test_a_high_error_with_the_term_raises_only_where_the_objective_rose():
    from sklearn_ae._diagnostics import FitDiagnostics
    from sklearn_ae._losses import ReconstructionLoss

    X_train, *_ = digits_split()
    sample = torch.as_tensor(X_train[:200], dtype=torch.float32)
    broken = StackedAE(**dict(FAST, hidden_layer_sizes=())).fit(X_train).net_.module_
    with torch.no_grad():
        broken.decoder_layers[-1].bias.add_(0.5)  # error ~0.25, 3.5x the mean's 0.07
    diagnostics = FitDiagnostics(ReconstructionLoss("mse"), sample)
    args = ("StackedAE", broken, 0.06, "advice")
    with pytest.raises(FloatingPointError, match="training diverged"):
        diagnostics.check(*args)  # no competing term
    with pytest.raises(FloatingPointError, match="training diverged"):
        diagnostics.check(*args, competing="neighbor_loss='tsne'", objective_rose=True)
    with pytest.warns(ConvergenceWarning, match="neighbor_loss='tsne' moved the codes"):
        diagnostics.check(*args, competing="neighbor_loss='tsne'", objective_rose=False)
    # Not without bound: at 100x the mean's error the fit diverged, whatever
    # the objective did (digits at learning_rate_init=0.3: 3000x).
    with torch.no_grad():
        broken.decoder_layers[-1].bias.add_(2.5)
    with pytest.raises(FloatingPointError, match="training diverged"):
        diagnostics.check(*args, competing="neighbor_loss='tsne'", objective_rose=False)


def test_a_map_the_term_did_not_move_is_reported(tsne_model):
    X_train, *_ = digits_split()
    # One epoch leaves the map at its PCA start (the average of the weights
    # is still mostly the start's): trustworthiness 0.834 -> 0.834.
    model = StackedAE(neighbor_loss="tsne", warm_start=True, **dict(FAST, max_iter=1))
    with pytest.warns(ConvergenceWarning, match="hardly more neighbour-preserving") as caught:
        model.fit(X_train)
    message = next(str(w.message) for w in caught if "neighbour-preserving" in str(w.message))
    start, end = (float(v) for v in message.split("trustworthiness ")[1][:14].split(" -> "))
    assert end - start < 0.01
    assert "learning_rate_init (now 0.03)" in message
    # A warm start continues a map the term may already have made: not judged.
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        model.fit(X_train)
    assert not [w for w in again if "neighbour-preserving" in str(w.message)]
    # The default fit's map rises from 0.83 to above 0.95: no false alarm.
    assert not [m for m in _TSNE_WARNINGS if "neighbour-preserving" in m], _TSNE_WARNINGS


def test_warm_start_rebuilds_the_graph_on_the_new_data():
    X_train, *_ = digits_split()
    model = _fit_quietly(StackedAE(warm_start=True, **dict(FAST, max_iter=2)), X_train)
    model.set_params(neighbor_loss="umap", n_neighbors=5)  # a training setting: allowed
    _fit_quietly(model, X_train[:100])
    assert model.n_iter_ == 4
    model.set_params(n_neighbors=100)
    with pytest.raises(
        ValueError,
        match=r"n_neighbors=100 must be below the number of "
        r"training samples \(100\)",
    ):
        model.fit(X_train[:100])
    assert model.n_iter_ == 4  # a failed fit leaves the model as it was


def test_bad_parameters_give_clear_errors():
    X_train, *_ = digits_split()
    with pytest.raises(ValueError, match="neighbor_loss"):
        StackedAE(neighbor_loss="pca").fit(X_train[:50])
    with pytest.raises(ValueError, match="n_neighbors"):
        StackedAE(neighbor_loss="umap", n_neighbors=0).fit(X_train[:50])
    with pytest.raises(ValueError, match="neighbor_weight"):
        StackedAE(neighbor_loss="umap", neighbor_weight=-1.0).fit(X_train[:50])
    with pytest.raises(ValueError, match=r"n_neighbors=15 must be below .* \(10\)"):
        StackedAE(neighbor_loss="umap", max_iter=1).fit(X_train[:10])
    with pytest.raises(ValueError, match="partial_fit does not support neighbor_loss"):
        StackedAE(neighbor_loss="tsne").partial_fit(X_train[:50])
    with pytest.warns(UserWarning, match="n_neighbors=5 has no effect"):
        _fit_quietly(StackedAE(n_neighbors=5, max_iter=1), X_train[:50])
