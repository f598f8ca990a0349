"""Neighbour maps: neighbor_loss="tsne" (openTSNE's map, distilled) and "umap" (deprecated)."""

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
from sklearn_ae._neighbors import fuzzy_graph, nearest_neighbors
from sklearn_ae._tsne_map import TSNEMap

from ._helpers import digits_split

openTSNE = pytest.importorskip("openTSNE")

# The defaults: openTSNE's map at perplexity 30, the encoder trained towards
# it at learning_rate_init="auto" (0.003 with the term), tol="auto" (1e-2).
FAST = dict(n_components=2, random_state=0)


def _fit_quietly(model, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FutureWarning)  # neighbor_loss="umap"
        return model.fit(X)


def _scores(model, X_train, X_test, y_train, y_test, train_codes=None):
    """Held-out trustworthiness (k=5) and 5-NN accuracy on the training rows' codes."""
    codes = model.transform(X_test)
    train_codes = model.transform(X_train) if train_codes is None else train_codes
    knn = KNeighborsClassifier(5).fit(train_codes, y_train)
    return trustworthiness(X_test, codes, n_neighbors=5), knn.score(codes, y_test)


# Warnings of the default t-SNE fit (the fixture below), for the test that
# a working map raises no false alarm.
_TSNE_WARNINGS = []


@pytest.fixture(scope="module")
def tsne_fit():
    """The default t-SNE model on digits and its fit_transform output."""
    X_train, *_ = digits_split()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = StackedAE(neighbor_loss="tsne", **FAST)
        codes = model.fit_transform(X_train)
    _TSNE_WARNINGS[:] = [str(w.message) for w in caught]
    return model, codes


@pytest.fixture(scope="module")
def tsne_model(tsne_fit):
    return tsne_fit[0]


@pytest.fixture(scope="module")
def opentsne_digits():
    """openTSNE at its defaults on the same rows: (training map, held-out places)."""
    X_train, X_test, *_ = digits_split()
    embedding = openTSNE.TSNE(n_jobs=1, random_state=0).fit(X_train)
    train = np.array(embedding)
    return train, np.asarray(embedding.transform(X_test))


@pytest.fixture(scope="module")
def plain_model():
    X_train, *_ = digits_split()
    return _fit_quietly(StackedAE(**FAST), X_train)


def test_training_rows_map_is_opentsnes(tsne_fit, opentsne_digits):
    X_train, *_ = digits_split()
    model, codes = tsne_fit
    np.testing.assert_array_equal(codes, model.embedding_)
    ours = trustworthiness(X_train, codes, n_neighbors=5)
    reference = trustworthiness(X_train, opentsne_digits[0], n_neighbors=5)
    # Measured 0.9949 against openTSNE's 0.9951 (its seed differs: the fit's
    # own random stream); the target is within 0.01.
    assert ours >= reference - 0.01, (ours, reference)
    assert ours > 0.98


def test_training_rows_map_on_a_pendigits_sample(shared_data):
    # Tabular rows (16 pen coordinates): where the contrastive t-SNE term this
    # replaced reached 0.906 against openTSNE's 0.994 on a similar set.
    from sklearn_ae.datasets import fetch_pendigits

    X, _ = fetch_pendigits(data_home=shared_data, return_X_y=True)
    X = X[:1500] / 100
    model = _fit_quietly(StackedAE(neighbor_loss="tsne", max_iter=20, **FAST), X)
    reference = np.array(openTSNE.TSNE(n_jobs=1, random_state=0).fit(X))
    ours = trustworthiness(X, model.embedding_, n_neighbors=5)
    assert ours >= trustworthiness(X, reference, n_neighbors=5) - 0.01
    # The encoder alone follows the map less closely (0.96-0.98 at full size).
    encoder = model.set_params(neighbor_transform="encoder").transform(X)
    assert trustworthiness(X, encoder, n_neighbors=5) > 0.9


def test_held_out_rows_are_placed_as_opentsne_places_them(tsne_fit, opentsne_digits, plain_model):
    X_train, X_test, y_train, y_test = digits_split()
    model, codes = tsne_fit
    trust, acc = _scores(model, X_train, X_test, y_train, y_test, train_codes=codes)
    ref_train, ref_test = opentsne_digits
    ref_trust = trustworthiness(X_test, ref_test, n_neighbors=5)
    ref_acc = KNeighborsClassifier(5).fit(ref_train, y_train).score(ref_test, y_test)
    # Measured 0.971 / 0.975 against openTSNE's 0.975 / 0.978 on these rows.
    assert trust >= max(0.96, ref_trust - 0.01), (trust, ref_trust)
    assert acc >= ref_acc - 0.02, (acc, ref_acc)
    # The encoder alone (ONNX, skops files): measured 0.927 / 0.94, below the
    # openTSNE placement but above the plain model's 0.909 / 0.80.
    encoder = StackedAE.transform(_encoder_only(model), X_test)
    plain_trust, plain_acc = _scores(plain_model, X_train, X_test, y_train, y_test)
    enc_acc = KNeighborsClassifier(5).fit(codes, y_train).score(encoder, y_test)
    assert trustworthiness(X_test, encoder, n_neighbors=5) > plain_trust + 0.01
    assert enc_acc > plain_acc + 0.05


def _encoder_only(model):
    clone = pickle.loads(pickle.dumps(model))
    return clone.set_params(neighbor_transform="encoder")


def test_transform_is_stable_and_leaves_the_map_alone(tsne_fit):
    _, X_test, *_ = digits_split()
    model, codes = tsne_fit
    first = model.transform(X_test[:40])
    np.testing.assert_array_equal(model.transform(X_test[:40]), first)
    # openTSNE moves the map in place on its first transform; the fit does
    # that first one, so embedding_ and the index agree for good.
    np.testing.assert_array_equal(model.embedding_, codes)
    reference = np.asarray(model.neighbor_map_)
    np.testing.assert_allclose(reference / reference.std(), codes)  # at unit spread
    assert first.dtype == X_test.dtype


def test_pandas_output_of_the_map():
    X_train, *_ = digits_split()
    model = StackedAE(neighbor_loss="tsne", max_iter=2, **FAST).set_output(transform="pandas")
    frame = _fit_quietly_transform(model, X_train[:300])
    assert list(frame.columns) == ["stackedae0", "stackedae1"]
    np.testing.assert_array_equal(frame.to_numpy(), model.embedding_)
    assert list(model.transform(X_train[:5]).columns) == ["stackedae0", "stackedae1"]


def _fit_quietly_transform(model, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit_transform(X)


def test_encoder_mode_is_the_encoder(tsne_model):
    X_train, X_test, *_ = digits_split()
    model = _encoder_only(tsne_model)
    with torch.no_grad():
        direct = model.module_.encode(torch.as_tensor(X_test, dtype=torch.float32)).numpy()
    codes = model.transform(X_test.astype(np.float32))
    np.testing.assert_allclose(codes, direct, rtol=1e-5, atol=1e-4)
    # fit_transform in encoder mode is fit().transform(), as for any transformer.
    small = _fit_quietly(
        StackedAE(neighbor_loss="tsne", neighbor_transform="encoder", max_iter=2, **FAST),
        X_train[:300],
    )
    np.testing.assert_allclose(
        small.transform(X_train[:300]),
        StackedAE(
            neighbor_loss="tsne", neighbor_transform="encoder", max_iter=2, **FAST
        ).fit_transform(X_train[:300]),
        rtol=1e-5,
        atol=1e-5,
    )


def test_codes_still_invert(tsne_model, plain_model):
    _, X_test, *_ = digits_split()
    recon = tsne_model.inverse_transform(tsne_model.transform(X_test))
    mse = float(((recon - X_test) ** 2).mean())
    plain = float(
        ((plain_model.inverse_transform(plain_model.transform(X_test)) - X_test) ** 2).mean()
    )
    # Measured 0.042 against the plain model's 0.038 (the issue asks for at
    # most 1.2x; on pen-digits it is 4.6x, RESULTS_neighbors.md).
    assert mse <= 1.2 * plain, (mse, plain)


def test_saving_keeps_the_encoder_and_says_what_it_cannot_keep(tsne_model, tmp_path):
    _, X_test, *_ = digits_split()
    clone = pickle.loads(pickle.dumps(tsne_model))  # pickle keeps the index
    np.testing.assert_array_equal(clone.transform(X_test[:20]), tsne_model.transform(X_test[:20]))
    sio = pytest.importorskip("skops.io")
    from sklearn_ae.utils import save

    with pytest.raises(ValueError, match="neighbor_transform='encoder'"):
        save(clone, tmp_path / "opentsne.skops")
    clone.set_params(neighbor_transform="encoder")
    save(clone, tmp_path / "encoder.skops")
    assert hasattr(clone, "neighbor_map_")  # hidden for the dump only
    loaded = sio.load(
        tmp_path / "encoder.skops",
        trusted=sio.get_untrusted_types(file=tmp_path / "encoder.skops"),
    )
    np.testing.assert_array_equal(loaded.transform(X_test[:20]), clone.transform(X_test[:20]))
    loaded.set_params(neighbor_transform="opentsne")
    with pytest.raises(ValueError, match="holds no index of its training rows"):
        loaded.transform(X_test[:20])


def test_onnx_export_refuses_the_opentsne_transform(tsne_model):
    pytest.importorskip("onnxscript")
    from sklearn_ae.onnx import to_torch_onnx

    with pytest.raises(ValueError, match="neighbor_transform='encoder'"):
        to_torch_onnx(tsne_model)
    assert to_torch_onnx(_encoder_only(tsne_model)) is not None


def test_umap_is_deprecated():
    X_train, *_ = digits_split()
    with pytest.warns(FutureWarning, match="neighbor_loss='umap' is deprecated"):
        StackedAE(neighbor_loss="umap", max_iter=1, **FAST).fit(X_train[:100])


def test_graphs_are_symmetric_and_weighted_as_documented():
    X_train, *_ = digits_split()
    indices, distances = nearest_neighbors(X_train[:300], 10)
    assert indices.shape == distances.shape == (300, 10)
    assert not (indices == np.arange(300)[:, None]).any()  # no row is its own neighbour
    assert (np.diff(distances, axis=1) >= 0).all()
    W = fuzzy_graph(indices, distances).tocsr()
    assert abs(W - W.T).max() < 1e-12
    assert W.max() <= 1.0 and W.min() >= 0.0


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


def test_the_default_rate_falls_with_the_width_of_the_net():
    X_train, *_ = digits_split()
    # The rate suits the default (128, 64) net; a wider one gets rate * 128 /
    # its widest layer (on 60k MNIST rows a (512, 256, 128) net at the UMAP
    # term's 0.03 ended at PCA's map).
    rates = {}
    for hidden in [(128, 64), (512, 256, 128), ()]:
        params = dict(FAST, max_iter=1, hidden_layer_sizes=hidden, neighbor_loss="tsne")
        rates[hidden] = _fit_quietly(StackedAE(**params), X_train[:200]).net_.lr
    assert rates == {(128, 64): 0.003, (512, 256, 128): 0.00075, (): 0.003}
    plain = _fit_quietly(StackedAE(**dict(FAST, max_iter=1, hidden_layer_sizes=(512,))), X_train)
    assert plain.net_.lr == 1e-3  # without the term, the width does not matter


def test_umap_term_beats_the_same_model_without_it(plain_model):
    X_train, X_test, y_train, y_test = digits_split()
    # UMAP's loss falls more slowly than the t-SNE one and StackedAE's
    # stopping rule (tol=0.01) ends it at 39 epochs, level with the plain
    # model: a fixed 60 epochs.
    model = _fit_quietly(
        StackedAE(neighbor_loss="umap", max_iter=60, tol=0.0, n_iter_no_change=60, **FAST),
        X_train,
    )
    assert model.net_.penalties[-1].n_neighbors == 15  # n_neighbors=None for "umap"
    trust, acc = _scores(model, X_train, X_test, y_train, y_test)
    plain_trust, plain_acc = _scores(plain_model, X_train, X_test, y_train, y_test)
    assert trust > plain_trust + 0.02, (trust, plain_trust)
    # 5-NN accuracy of the 2-d codes: 0.892 against 0.803 for the plain model
    # since its PCA start lives in its layers (it had less before).
    assert acc > plain_acc + 0.07, (acc, plain_acc)


def test_the_term_lets_go_of_the_training_rows(tsne_model):
    term = next(t for t in tsne_model.net_.penalties if isinstance(t, TSNEMap))
    assert term.data_ is None and term.target_ is None
    # What transform needs stays: openTSNE's map and its neighbour index.
    assert tsne_model.neighbor_map_ is term.map_


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
    assert "learning_rate_init (now 0.003)" in message
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
    with pytest.raises(ValueError, match="neighbor_transform"):
        StackedAE(neighbor_loss="tsne", neighbor_transform="nearest").fit(X_train[:50])
    with pytest.warns(UserWarning, match="neighbor_transform='encoder' has no effect"):
        _fit_quietly(StackedAE(neighbor_transform="encoder", max_iter=1), X_train[:50])
