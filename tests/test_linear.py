"""LinearAE's own parameters: the PCA start, L-BFGS's full batch, the documented defaults."""

import warnings

import numpy as np
import pytest
from sklearn.decomposition import PCA

from sklearn_ae import LinearAE

from ._helpers import digits_split, recon_mse


def test_the_pca_start_is_pca_and_training_stops_at_once():
    X_train, X_test, *_ = digits_split()
    pca = PCA(n_components=8).fit(X_train)
    ae = LinearAE(n_components=8, random_state=0).fit(X_train)
    # Already at the optimum: one iteration to see it, one to confirm.
    assert ae.n_iter_ <= 2
    # float32 weights: the error is PCA's to 1e-5 relative.
    assert recon_mse(ae, X_test) == pytest.approx(recon_mse(pca, X_test), rel=1e-5)
    random = LinearAE(n_components=8, init="random", max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter=1 stops it early, on purpose
        random.fit(X_train)
    assert random.loss_curve_[0] > 1.5 * ae.loss_curve_[0]


def test_lbfgs_ignores_batch_size_with_a_warning():
    X_train, X_test, *_ = digits_split()
    # Minibatch L-BFGS diverged here (NaN at epoch 2): MLP ignores the batch
    # size for L-BFGS, and so does every estimator of the package now.
    with pytest.warns(UserWarning, match="batch_size=1 has no effect"):
        ae = LinearAE(n_components=8, batch_size=1, init="random", random_state=0).fit(X_train)
    default = LinearAE(n_components=8, init="random", random_state=0).fit(X_train)
    np.testing.assert_array_equal(ae.loss_curve_, default.loss_curve_)
    pca_mse = recon_mse(PCA(n_components=8).fit(X_train), X_test)
    assert recon_mse(ae, X_test) == pytest.approx(pca_mse, rel=0.01)


def test_the_docstring_gives_linear_ae_defaults():
    doc = " ".join(LinearAE.__doc__.split())
    assert 'solver : {"adam", "adamw", "sgd", "lbfgs"}, default="lbfgs"' in doc
    assert 'learning_rate_init : float or "auto", default="auto"' in doc
    assert "max_iter : int, default=100" in doc
    assert 'init : {"pca", "random"}, default="pca"' in doc
    params = LinearAE().get_params()
    assert (params["solver"], params["max_iter"], params["init"]) == ("lbfgs", 100, "pca")
