"""The checks on data before a fit: values float32 training takes, a scale the defaults suit.

:mod:`sklearn_ae._diagnostics` re-exports them beside the checks after a fit.
"""

import warnings

import numpy as np
import scipy.sparse as sp
import torch

__all__ = [
    "BCE_SLACK",
    "MAX_ABS_VALUE",
    "NOISE_SPREAD_RATIO",
    "SCALE_RANGE",
    "check_data_scale",
    "check_noise_scale",
    "sample_spread",
]

# Largest magnitude float32 training handles: squared errors summed over a
# batch of such values still fit in float32 (max 3.4e38).
MAX_ABS_VALUE = 1e15
# How far outside [0, 1] loss="bce" takes targets (float rounding).
BCE_SLACK = 1e-6
# Spread of the data (RMS of the centred values) the default initialisation
# and learning rates are made for; outside this range training crawls.
SCALE_RANGE = (1e-2, 1e3)
# Gaussian noise above this many times the data's spread leaves corrupted
# rows with little of their signal: the best denoiser of them is close to
# the mean (20 Newsgroups' TF-IDF rows, spread 0.021, under noise_level=0.3:
# 14x, a model within 1 % of the mean's error). Images in [0, 1] under the
# documented 0.1-0.3 are at 0.3-1.2x.
NOISE_SPREAD_RATIO = 3.0


def sample_spread(rows):
    """RMS of the centred values of ``rows`` (a 2-d tensor; NaN counts as 0)."""
    return float(torch.nan_to_num(rows.double().var(dim=0, correction=0)).mean().sqrt())


def check_data_scale(X, name, loss="mse"):
    """Refuse values float32 training (or ``loss``) cannot take; warn on a scale the defaults miss.

    Returns the RMS of the centred values (NaN entries, padding, ignored).
    """
    values = X.data if sp.issparse(X) else X
    # The NaN-aware reductions copy the data: only where there is a NaN.
    biggest = float(np.max(np.abs(values))) if values.size else 0.0
    has_nan = np.isnan(biggest)
    if has_nan:
        biggest = float(np.nanmax(np.abs(values)))
    if loss == "bce" and values.size:
        low, high = (np.nanmin, np.nanmax) if has_nan else (np.min, np.max)
        low, high = float(low(values)), float(high(values))
        # Rounding (pixels / 255 computed in float32, an average) may step
        # a hair outside [0, 1]; cross-entropy takes that as it is.
        if low < -BCE_SLACK or high > 1 + BCE_SLACK:
            # Cross-entropy compares probabilities: a target of 50 has no
            # meaning there, and training gave a model 3.8x worse than the mean.
            raise ValueError(
                f"loss='bce' needs targets in [0, 1], but X holds values in [{low:.8g}, "
                f"{high:.8g}]. Scale the data to [0, 1] first (e.g. "
                "sklearn.preprocessing.MinMaxScaler), or use loss='mse'."
            )
    if biggest > MAX_ABS_VALUE:
        raise ValueError(
            f"X holds values up to {biggest:.3g} in magnitude: {name} trains in float32, "
            "where the squared errors of such values overflow. Scale the data first, e.g. "
            "with sklearn.preprocessing.StandardScaler or MinMaxScaler."
        )
    if sp.issparse(X):
        mean = np.asarray(X.mean(axis=0)).ravel()
        sq = np.asarray(X.multiply(X).mean(axis=0)).ravel()
        spread = float(np.sqrt(max(0.0, float(np.mean(sq - mean**2)))))
    else:
        var = np.nanvar if has_nan else np.var
        spread = float(np.sqrt(np.nanmean(var(X, axis=0)))) if X.size else 0.0
    low, high = SCALE_RANGE
    if spread == 0 and X.shape[0] > 1:
        warnings.warn(
            f"Every feature of X is constant: there is nothing for {name} to learn, and "
            "transform returns the same code for every sample.",
            UserWarning,
            stacklevel=4,
        )
    elif spread > 0 and not low <= spread <= high:
        warnings.warn(
            f"The data's spread (RMS of the centred values) is {spread:.3g}, outside the "
            f"range [{low:g}, {high:g}] that {name}'s defaults are made for: training may "
            "stall or diverge. Scale the data, e.g. with MinMaxScaler (to [0, 1]) or "
            "StandardScaler.",
            UserWarning,
            stacklevel=4,
        )
    return spread


def check_noise_scale(estimator, spread):
    """Warn where ``estimator``'s Gaussian noise drowns data of ``spread``."""
    noise, noise_level = estimator.noise, estimator.noise_level
    if noise != "gaussian" or not spread > 0 or noise_level <= NOISE_SPREAD_RATIO * spread:
        return
    name = type(estimator).__name__
    warnings.warn(
        f"noise_level={noise_level:g}, the standard deviation of the Gaussian noise, is "
        f"{noise_level / spread:.3g}x the data's spread ({spread:.3g}, the RMS of the centred "
        f"values): corrupted rows keep little of their signal, and {name} can do little "
        "better than predict the mean. noise_level is in the data's units: give it as a "
        f"share of the spread (e.g. {0.3 * spread:.2g} for 0.3 of it), or scale the data "
        "(StandardScaler).",
        UserWarning,
        stacklevel=4,
    )
