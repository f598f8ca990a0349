"""The PCA start: folded into ReLU-like layers, and the same for sparse and dense data."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.decomposition import PCA

from sklearn_ae import StackedAE
from sklearn_ae._data import RowData
from sklearn_ae._pca_init import principal_axes
from sklearn_ae.modules import DenseAutoencoder

from ._helpers import digits_split


@pytest.mark.parametrize("hidden", [(64,), (80, 72, 64)])
@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "elu"])
def test_folded_start_is_pca_without_a_linear_path(hidden, tied, activation):
    X_train, X_test, *_ = digits_split()
    torch.manual_seed(0)
    module = DenseAutoencoder(64, 16, hidden, activation, tied_weights=tied).double()
    assert module.can_fold() and module.linear_encoder is None
    module.init_from_pca(*principal_axes(RowData(X_train, "cpu"), 16))
    pca = PCA(16).fit(X_train)
    with torch.no_grad():
        out = module(torch.as_tensor(X_test))
    # float64 throughout: only rounding separates the two.
    np.testing.assert_allclose(
        out["recon"].numpy(), pca.inverse_transform(pca.transform(X_test)), atol=1e-10
    )
    np.testing.assert_allclose(
        np.abs(out["code"].numpy()), np.abs(pca.transform(X_test)), atol=1e-10
    )


@pytest.mark.parametrize("hidden, linear_path", [((), False), ((128, 64), True), ((64,), False)])
def test_logistic_codes_start_in_the_sigmoids_range(hidden, linear_path):
    # Taken as they are, small principal scores (20 Newsgroups: 0.05-0.09)
    # would leave every sigmoid unit at 0.5 +- 0.02.
    X_train, X_test, *_ = digits_split()
    torch.manual_seed(0)
    module = DenseAutoencoder(
        64, 16, hidden, code_activation="logistic", linear_path=linear_path
    ).double()
    module.init_from_pca(*principal_axes(RowData(X_train, "cpu"), 16))
    with torch.no_grad():
        raw = module._encode_raw(torch.as_tensor(X_train)).numpy()
        recon = module(torch.as_tensor(X_test))["recon"].numpy()
    np.testing.assert_allclose(raw.std(axis=0), 1.5, rtol=1e-6)
    pca = PCA(16).fit(X_train)
    pca_error = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    # Measured: 1.52x PCA's error (the sigmoid bends the outer scores), the
    # mean's is 6.2x.
    assert np.mean((recon - X_test) ** 2) < 1.7 * pca_error


def test_folding_needs_relu_like_layers_as_wide_as_the_code():
    assert not DenseAutoencoder(64, 16, (32,), "tanh").can_fold()
    assert not DenseAutoencoder(64, 16, (128, 48), "relu").can_fold()  # 4 x 16 > 48
    with pytest.raises(ValueError, match="linear_path"):
        DenseAutoencoder(64, 16, (32,), "tanh").init_from_pca(
            *principal_axes(RowData(digits_split()[0], "cpu"), 16)
        )
    # The estimator adds the linear path where the layers cannot carry the start.
    X_train = digits_split()[0][:200]
    assert StackedAE(8, max_iter=1).fit(X_train).module_.linear_encoder is None
    for params in ({"activation": "tanh"}, {"hidden_layer_sizes": (32, 4)}):
        ae = StackedAE(8, max_iter=1, **params).fit(X_train)
        assert ae.module_.linear_encoder is not None


def test_sparse_and_dense_data_give_one_model():
    X_train, X_test, *_ = digits_split()
    X_train = X_train[:600]
    dense = StackedAE(8, max_iter=5, random_state=0).fit(X_train)
    sparse = StackedAE(8, max_iter=5, random_state=0).fit(sp.csr_matrix(X_train))
    # The sparse start is computed in float64 from the CSR values, the dense
    # one from the float32 copy training uses: 1e-7 apart, which five epochs
    # of float32 training keep to about 1e-5.
    np.testing.assert_allclose(sparse.transform(X_test), dense.transform(X_test), atol=1e-4)
    np.testing.assert_allclose(sparse.reconstruct(X_test), dense.reconstruct(X_test), atol=1e-4)


def test_wide_sparse_start_is_centred_and_never_densified(monkeypatch):
    # Wider than the exact limit: the randomized solver on the centred operator.
    # Rows mix six sparse "topics" (strong axes) over sparse noise.
    rng = np.random.default_rng(0)
    topics = sp.random(6, 3000, density=0.02, random_state=0, format="csr") * 10
    weights = sp.csr_matrix(rng.random((400, 6)) + 1)  # all positive: off-centre
    X = (weights @ topics + sp.random(400, 3000, density=0.01, random_state=1)).tocsr()
    dense_start = principal_axes(RowData(X.toarray(), "cpu", torch.float64), 6, seed=0)
    densified = []
    for cls in (sp.csr_matrix, sp.csc_matrix, sp.coo_matrix):
        original = cls.toarray

        def toarray(self, *args, _original=original, **kwargs):
            densified.append(self.shape)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "toarray", toarray)
    sparse_start = principal_axes(RowData(X, "cpu", torch.float64), 6, seed=0)
    assert all(shape[0] < 400 for shape in densified)
    for a, b in zip(sparse_start, dense_start, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-8)
    # The mean is the rows' mean, not zero, and the axes are PCA's.
    np.testing.assert_allclose(sparse_start.mean.numpy(), np.asarray(X.mean(axis=0)).ravel())
    pca = PCA(6).fit(X.toarray())
    # The same subspace: the squared cosines of the principal angles sum to 6.
    overlap = pca.components_ @ sparse_start.components.numpy().T
    assert (overlap**2).sum() == pytest.approx(6, abs=1e-3)
