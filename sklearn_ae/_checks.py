"""Parameter values scikit-learn's constraints let through but torch cannot use.

``_parameter_constraints`` checks types and ranges; some values pass them and
then fail deep inside torch with a message that names no parameter: a bool
where a count is meant (``True`` is an ``Integral``), ``n_jobs=0``, a device
that holds no data. :func:`check_parameter_values` runs right after
``_validate_params`` and refuses them with a message that says what is allowed.
"""

import contextlib
import numbers

import torch
from sklearn.utils._param_validation import Interval, InvalidParameterError

__all__ = ["check_parameter_values", "check_partial_fit_call", "restored_on_failure"]

# Device types that hold data (the "meta" device holds shapes only).
_DATA_DEVICES = {"cpu", "cuda", "mps", "xpu"}


def _numeric_interval(constraints):
    return next((c for c in constraints if isinstance(c, Interval) and c.type is not None), None)


def _refuse(estimator, name, allowed, value):
    raise InvalidParameterError(
        f"The {name!r} parameter of {type(estimator).__name__} must be {allowed}. "
        f"Got {value!r} instead."
    )


def check_parameter_values(estimator):
    """Raise ``InvalidParameterError`` (a ``ValueError``) for values torch cannot use."""
    params = estimator.get_params(deep=False)
    for name, constraints in estimator._parameter_constraints.items():
        value = params.get(name)
        interval = _numeric_interval(constraints)
        # A bool is an Integral to Python and to scikit-learn's Interval, and
        # torch then fails on it (n_components=True) or silently reads 1.
        if isinstance(value, bool) and interval is not None and "boolean" not in constraints:
            _refuse(estimator, name, f"{interval}, not a bool", value)
    if params.get("n_jobs") == 0:
        _refuse(estimator, "n_jobs", "a positive number of threads, -1 (all) or None", 0)
    device = params.get("device")
    if isinstance(device, str) and device != "auto":
        try:
            kind = torch.device(device).type
        except (RuntimeError, TypeError):
            kind = None
        if kind not in _DATA_DEVICES:
            _refuse(estimator, "device", "'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'", device)
    minimum = getattr(estimator, "_min_hidden_layers", 0)
    sizes = params.get("hidden_layer_sizes")
    if minimum and sizes is not None and _uses_hidden_layer_sizes(params):
        try:
            n_layers = len(sizes)
        except TypeError:
            n_layers = None
        if n_layers is not None and n_layers < minimum:
            _refuse(
                estimator,
                "hidden_layer_sizes",
                f"a sequence of at least {minimum} positive integer(s)",
                sizes,
            )


def _uses_hidden_layer_sizes(params):
    # RecurrentAE's deprecated hidden_size/num_layers replace it when set.
    return all(
        params.get(key, "deprecated") == "deprecated" for key in ("hidden_size", "num_layers")
    )


def check_partial_fit_call(estimator, epochs):
    """Refuse ``partial_fit`` arguments no block-by-block fit can honour."""
    if not isinstance(epochs, numbers.Integral) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}.")
    # "auto" (RecurrentAE) holds out rows in fit only.
    if not isinstance(estimator.early_stopping, str) and estimator.early_stopping:
        raise ValueError(
            "partial_fit does not support early_stopping=True (it needs the whole data "
            "set to hold out a validation part); set early_stopping=False and watch "
            "score() on held-out rows between calls."
        )


@contextlib.contextmanager
def restored_on_failure(estimator):
    """Put ``estimator`` back as it was where the block raises.

    A failed fit must leave an earlier fitted model as it was. On Ctrl-C after
    at least one completed epoch, the block has already made those epochs the
    fitted model (a new ``net_``), which is kept; before the first, nothing
    changes. A context manager rather than a wrapper: it adds no frame between
    the user's call and the fit, so warnings' ``stacklevel`` still points at
    the user's line.
    """
    before = dict(vars(estimator))
    try:
        yield
    except KeyboardInterrupt:
        if vars(estimator).get("net_") is before.get("net_"):
            vars(estimator).clear()
            vars(estimator).update(before)
        raise
    except BaseException:
        vars(estimator).clear()
        vars(estimator).update(before)
        raise
