"""At their defaults the dense autoencoders never lose to PCA of the same size.

``init="pca"`` starts the model as PCA (the hidden layers carrying the
principal scores, or a linear path from the principal axes beside them), so
training can only add to it.
Full-scale figures: ``benchmarks/RESULTS_defaults.md``.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning

from sklearn_ae import ContractiveAE, DenoisingAE, StackedAE, VariationalAE

from ._helpers import digits_split, recon_mse

# PCA at k=64 is exact on digits (64 features): its test error is ~1e-31. The
# autoencoder starts exact too; float32 training leaves an error of about
# 2e-8 (1e-7 of the data's variance), hence this absolute allowance.
FULL_RANK_ATOL = 1e-6


def _fit_recording(estimator, X):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(X)
    return [w for w in caught if issubclass(w.category, ConvergenceWarning)]


@pytest.mark.parametrize("k", [2, 8, 16, 32, 64])
def test_stacked_defaults_beat_pca_on_digits_without_convergence_warning(k):
    X_train, X_test, *_ = digits_split()
    pca_mse = recon_mse(PCA(n_components=k).fit(X_train), X_test)
    ae = StackedAE(n_components=k, random_state=0)
    assert _fit_recording(ae, X_train) == []
    assert ae.n_iter_ < ae.max_iter  # the stopping rule ended training
    ae_mse = recon_mse(ae, X_test)
    if k < 64:
        # Measured: 0.73, 0.53, 0.57, 0.66 of PCA's error at k = 2, 8, 16, 32.
        assert ae_mse <= 0.8 * pca_mse
    else:
        assert ae_mse <= pca_mse + FULL_RANK_ATOL


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"tied_weights": True},
        {"activation": "tanh"},
        {"hidden_layer_sizes": ()},
        {"hidden_layer_sizes": (), "tied_weights": True},
    ],
)
@pytest.mark.parametrize("sparse", [False, True])
def test_pca_start_reconstructs_as_pca(params, sparse):
    X_train, X_test, *_ = digits_split()
    # Sparse rows are centred implicitly, as scikit-learn's PCA does.
    pca = PCA(8).fit(X_train)
    expected = pca.inverse_transform(pca.transform(X_test))
    # A learning rate of 1e-12: one epoch leaves the start as it was.
    ae = StackedAE(8, max_iter=1, learning_rate_init=1e-12, random_state=0, **params)
    ae.fit(sp.csr_matrix(X_train) if sparse else X_train)
    atol = 1e-4  # float32 weights
    np.testing.assert_allclose(ae.reconstruct(X_test), expected, atol=atol)
    # The codes are PCA's scores, up to the sign of each axis.
    codes, scores = ae.transform(X_test), pca.transform(X_test)
    np.testing.assert_allclose(np.abs(codes), np.abs(scores), atol=10 * atol)


def test_random_init_has_no_linear_path_and_starts_elsewhere():
    X_train, X_test, *_ = digits_split()
    pca_mse = recon_mse(PCA(n_components=8).fit(X_train), X_test)
    ae = StackedAE(8, init="random", max_iter=1, learning_rate_init=1e-12, random_state=0)
    ae.fit(X_train)
    assert ae.module_.linear_encoder is None
    assert recon_mse(ae, X_test) > 3 * pca_mse


def test_first_partial_fit_starts_from_pca_and_warm_start_keeps_the_model():
    X_train, X_test, *_ = digits_split()
    pca_mse = recon_mse(PCA(n_components=8).fit(X_train[:500]), X_test)
    ae = StackedAE(8, learning_rate_init=1e-12, random_state=0).partial_fit(X_train[:500])
    assert recon_mse(ae, X_test) == pytest.approx(pca_mse, rel=1e-3)
    # A warm start continues the trained model instead of starting it again.
    ae = StackedAE(8, max_iter=20, warm_start=True, random_state=0).fit(X_train)
    trained = recon_mse(ae, X_test)
    ae.set_params(learning_rate_init=1e-12, max_iter=1).fit(X_train)
    assert recon_mse(ae, X_test) == pytest.approx(trained, rel=1e-3)
    assert trained < 0.8 * recon_mse(PCA(n_components=8).fit(X_train), X_test)


@pytest.mark.parametrize("cls, ratio", [(DenoisingAE, 1.35), (ContractiveAE, 1.0)])
def test_other_dense_stacks_start_from_pca_too(cls, ratio):
    X_train, X_test, *_ = digits_split()
    pca_mse = recon_mse(PCA(n_components=16).fit(X_train), X_test)
    ae = cls(n_components=16, random_state=0)
    assert _fit_recording(ae, X_train) == []
    # DenoisingAE learns to undo masking noise, not to reconstruct clean rows
    # best: 1.26 of PCA's error from the PCA start (1.17 when the start was
    # a linear path beside the layers), 1.84 from a random one. ContractiveAE
    # 0.75.
    assert recon_mse(ae, X_test) < ratio * pca_mse


@pytest.mark.parametrize("loader", ["fetch_mnist", "fetch_fashion_mnist"])
def test_stacked_beats_pca_on_28x28_images_at_k32(loader, shared_data):
    from sklearn_ae import datasets

    fetch = getattr(datasets, loader)
    X_train, _ = fetch(data_home=shared_data, return_X_y=True)
    X_test, _ = fetch(subset="test", data_home=shared_data, return_X_y=True)
    X_train, X_test = X_train[:2000].reshape(2000, -1), X_test[:500].reshape(500, -1)
    pca_mse = recon_mse(PCA(n_components=32).fit(X_train), X_test)
    ae = StackedAE(32, max_iter=8, random_state=0).fit(X_train)
    ratio = recon_mse(ae, X_test) / pca_mse
    # 8 epochs on 2,000 rows; 10,000 rows at the defaults reach 0.71 (MNIST).
    assert ratio < 0.95


def test_vae_at_defaults_beats_pca_on_digits():
    X_train, X_test, *_ = digits_split()
    pca_mse = recon_mse(PCA(n_components=8).fit(X_train), X_test)
    vae = VariationalAE(n_components=8, max_iter=100, random_state=0).fit(X_train)
    # The decoder variance is PCA's residual error (0.024), not 1/2, so the
    # KL term no longer wins: 0.072 test error before, PCA's 0.0253; 0.0235
    # after these 100 epochs, 0.0173 after the default 200.
    variance = float(vae.module_.decoder_variance)
    assert variance == pytest.approx(recon_mse(PCA(8).fit(X_train), X_train), rel=0.01)
    assert recon_mse(vae, X_test) <= pca_mse
    # The ELBO uses that variance: on the training rows it is about the
    # Gaussian log-likelihood of the residuals minus the KL term, per row.
    elbo = vae.score(X_train)
    d = X_train.shape[1]
    log_lik = -0.5 * d * (recon_mse(vae, X_train) / variance + np.log(2 * np.pi * variance))
    assert log_lik - 40 < elbo < log_lik
