"""``fit(X, X_val=...)``: your own validation set, alone and through metadata routing."""

import warnings

import numpy as np
import pytest
import sklearn
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_ae import StackedAE

from ._helpers import digits_split


def _quiet_fit(model, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short runs stop at max_iter on purpose
        return model.fit(*args, **kwargs)


def test_the_validation_curve_is_the_loss_of_the_rows_given():
    X_train, X_val, *_ = digits_split()
    ae = _quiet_fit(StackedAE(n_components=8, max_iter=5, random_state=0), X_train, X_val=X_val)
    assert len(ae.validation_loss_curve_) == ae.n_iter_ == 5
    # Scored every epoch on X_val itself (float32 training vs float64 score).
    assert ae.validation_loss_curve_[-1] == pytest.approx(-ae.score(X_val), rel=1e-5)
    # Without early_stopping the stopping rule and the weights follow training.
    assert (
        ae.loss_curve_
        == _quiet_fit(StackedAE(n_components=8, max_iter=5, random_state=0), X_train).loss_curve_
    )
    assert ae.net_.validation_data is None  # the fitted model holds no data
    _quiet_fit(ae, X_train)  # a later fit without one drops the curve
    assert not hasattr(ae, "validation_loss_curve_")


def test_early_stopping_watches_x_val_instead_of_a_random_hold_out():
    X_train, X_val, *_ = digits_split()
    ae = StackedAE(n_components=8, max_iter=40, early_stopping=True, random_state=0)
    _quiet_fit(ae, X_train, X_val=X_val)
    # Every training row trains: the first epoch's training loss is that of
    # all rows, and the kept weights are those of X_val's best epoch.
    held_out = _quiet_fit(
        StackedAE(n_components=8, max_iter=40, early_stopping=True, random_state=0), X_train
    )
    assert ae.loss_curve_[0] != held_out.loss_curve_[0]
    assert ae.best_validation_loss_ == min(ae.validation_loss_curve_)
    assert -ae.score(X_val) == pytest.approx(ae.best_validation_loss_, rel=1e-5)


def test_x_val_of_another_width_is_refused():
    X_train, X_val, *_ = digits_split()
    with pytest.raises(ValueError, match="features"):
        StackedAE(max_iter=1).fit(X_train, X_val=X_val[:, :10])
    assert not hasattr(StackedAE(), "net_")


def test_x_val_is_routed_through_a_pipeline_and_a_grid_search():
    X_train, X_val, *_ = digits_split()
    X_train, X_val = X_train * 16, X_val * 16  # pixel counts: the scaler matters
    with sklearn.config_context(enable_metadata_routing=True):
        ae = StackedAE(n_components=8, max_iter=3, random_state=0).set_fit_request(X_val=True)
        pipe = Pipeline([("scale", StandardScaler()), ("ae", ae)], transform_input=["X_val"])
        _quiet_fit(pipe, X_train, X_val=X_val)
        scaled = pipe[:-1].transform(X_val)
        assert pipe[-1].validation_loss_curve_[-1] == pytest.approx(
            -pipe[-1].score(scaled), rel=1e-5
        )
        search = GridSearchCV(ae, {"n_components": [2, 4]}, cv=2)
        _quiet_fit(search, X_train / 16, X_val=X_val[:100] / 16)
    curve = search.best_estimator_.validation_loss_curve_
    assert len(curve) == 3 and np.isfinite(curve).all()
