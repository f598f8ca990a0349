"""The models do what they are for, with real numbers on real data (digits)."""

import numpy as np
import pytest
from scipy.linalg import subspace_angles
from sklearn.decomposition import PCA

from sklearn_ae import LinearAE, StackedAE

from ._helpers import digits_split, recon_mse


def test_it_learns():
    X_train, X_test, *_ = digits_split()
    # From a random start: the default PCA start begins where PCA ends.
    ae = StackedAE(n_components=8, max_iter=30, init="random", random_state=0).fit(X_train)
    assert ae.n_iter_ == len(ae.loss_curve_) == 30
    assert ae.loss_curve_[-1] < 0.5 * ae.loss_curve_[0]
    # Better than reconstructing every test image by the training mean.
    baseline = ((X_test - X_train.mean(0)) ** 2).mean()
    assert -ae.score(X_test) < 0.5 * baseline


@pytest.mark.parametrize("k, tied", [(2, True), (8, True), (16, True), (8, False)])
def test_linear_ae_matches_pca(k, tied):
    X_train, X_test, *_ = digits_split()
    pca = PCA(n_components=k).fit(X_train)
    # From a random start: gradient descent finds the subspace (the default
    # starts on it, see test_linear.py).
    ae = LinearAE(n_components=k, tied_weights=tied, init="random", random_state=0)
    ae.fit(X_train)
    pca_mse, ae_mse = recon_mse(pca, X_test), recon_mse(ae, X_test)
    assert ae_mse == pytest.approx(pca_mse, rel=0.01)
    # The decoder spans the principal subspace (Baldi & Hornik 1989).
    decoder = ae.module_.decoder_layers[0].weight.detach().double().numpy()
    angles = subspace_angles(decoder, pca.components_.T)
    assert np.degrees(angles.max()) < (1.0 if k < 16 else 3.0)


def test_stacked_ae_beats_pca_out_of_the_box():
    X_train, X_test, *_ = digits_split()
    pca_mse = recon_mse(PCA(n_components=8).fit(X_train), X_test)
    ae_mse = recon_mse(StackedAE(n_components=8, random_state=0).fit(X_train), X_test)
    assert ae_mse <= 0.8 * pca_mse


def test_basic_undercomplete_and_tied_stacks_learn():
    X_train, X_test, *_ = digits_split()
    pca_mse = recon_mse(PCA(n_components=8).fit(X_train), X_test)
    # One linear layer each way: a linear autoencoder trained by Adam, which
    # gets close to PCA's optimum given a brisk learning rate.
    basic = StackedAE(
        8, hidden_layer_sizes=(), learning_rate_init=0.01, max_iter=60, random_state=0
    ).fit(X_train)
    assert len(basic.module_.encoder_layers) == 1
    assert recon_mse(basic, X_test) < 1.1 * pca_mse
    tied = StackedAE(8, tied_weights=True, max_iter=60, random_state=0).fit(X_train)
    assert recon_mse(tied, X_test) < pca_mse


def test_score_samples_ranks_anomalies():
    X_train, X_test, *_ = digits_split()
    ae = StackedAE(n_components=8, max_iter=40, random_state=0).fit(X_train)
    noise = np.random.default_rng(0).uniform(0, 1, size=(50, X_test.shape[1]))
    real, fake = ae.score_samples(X_test), ae.score_samples(noise)
    assert real.shape == (len(X_test),)
    assert np.median(real) > fake.max()
    assert ae.score(X_test) == pytest.approx(real.mean())
    assert ae.score(X_test) == pytest.approx(-recon_mse(ae, X_test), rel=1e-5)
