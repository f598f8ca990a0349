"""scikit-learn's estimator checks on every public estimator, found automatically."""

import pytest
import torch
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    check_set_output_transform,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

from sklearn_ae import AutoEncoder, FineTunedClassifier, FineTunedRegressor, StackedAE
from sklearn_ae.utils import all_estimators

from ._helpers import TinyDecoder, tiny_autoencoder

ESTIMATORS = all_estimators()


def _make(cls, **params):
    # AutoEncoder needs its torch modules: a lazy first layer and a decoder
    # told n_features let it fit the data of any width the checks pass.
    return tiny_autoencoder(**params) if cls is AutoEncoder else cls(**params)


def _quick(cls):
    # A few epochs keep ~50 checks per estimator fast; the checks test the
    # contract, not the quality, and must pass at any max_iter.
    return _make(cls, max_iter=3, random_state=0)


def test_discovery_finds_every_exported_estimator():
    names = {name for name, _ in ESTIMATORS}
    assert {"AutoEncoder", "LinearAE", "StackedAE"} <= names


def _lazy_instance():
    # An encoder *instance* of lazy layers sized by each fit's data: fit must
    # leave it unsized (the checks fit several widths) and unfitted models
    # must pickle. Its code has one unit (n_components=1, which the checks
    # set too); the decoder is a class, told n_features and n_components.
    encoder = torch.nn.Sequential(torch.nn.LazyLinear(4), torch.nn.Tanh(), torch.nn.LazyLinear(1))
    return AutoEncoder(encoder, TinyDecoder, n_components=1, max_iter=3, random_state=0)


@parametrize_with_checks([*(_quick(cls) for _, cls in ESTIMATORS), _lazy_instance()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


EXTRA_CHECKS = [
    check_set_output_transform,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    check_dataframe_column_names_consistency,
    check_param_validation,
]


@pytest.mark.parametrize("check", EXTRA_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=[n for n, _ in ESTIMATORS])
def test_checks_not_run_by_check_estimator(name, cls, check):
    check(name, _quick(cls))


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=[n for n, _ in ESTIMATORS])
def test_invariance_checks_at_default_settings(name, cls):
    # Subset and order invariance must hold by construction (inference in
    # the input's dtype), not because a short fit happens to be benign.
    from sklearn.utils.estimator_checks import (
        check_methods_sample_order_invariance,
        check_methods_subset_invariance,
    )

    estimator = _make(cls, random_state=0)
    check_methods_subset_invariance(name, estimator)
    check_methods_sample_order_invariance(name, estimator)


def _fine_tuned(cls, max_iter):
    # The checks' regression data (200 rows, 10 features) needs ~300 epochs of
    # the head's default rate for R^2 > 0.5 (100 give 0.28); classes need 100.
    encoder = StackedAE(n_components=4, hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    return cls(encoder, fit_autoencoder=True, max_iter=max_iter, random_state=0)


@parametrize_with_checks(
    [_fine_tuned(FineTunedClassifier, 100), _fine_tuned(FineTunedRegressor, 300)]
)
def test_fine_tuned_estimators_pass_sklearn_checks(estimator, check):
    check(estimator)
