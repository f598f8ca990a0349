"""The families of ``bench_defaults_matrix.py``: which data each applies to, and its rows."""

import json

import numpy as np
from _matrix_metrics import contraction, contraction_at_mse, corrupt, fit, mse, pca_mse

import sklearn_ae

KS = (2, 8, 32)
PURPOSE_K = 8  # code size of the purpose checks (denoising, contraction, sparsity)
FAMILIES = (
    "linear",
    "stacked",
    "custom",
    "denoising",
    "contractive",
    "sparse",
    "variational",
    "conv",
    "recurrent",
)


def _mlp_pair(n_features, k):
    from torch import nn

    encoder = nn.Sequential(nn.Linear(n_features, 128), nn.ReLU(), nn.Linear(128, 64))
    encoder.append(nn.ReLU()).append(nn.Linear(64, k))
    decoder = nn.Sequential(nn.Linear(k, 64), nn.ReLU(), nn.Linear(64, 128), nn.ReLU())
    decoder.append(nn.Linear(128, n_features))
    return encoder, decoder


def applies(family, kind):
    if family == "conv":
        return kind == "image"
    if family == "recurrent":
        return kind == "sequence"
    if family in ("contractive", "custom"):  # per-row Jacobians / dense MLP: no sparse text
        return kind in ("tabular", "image")
    return kind != "sequence"


def ks_for(n_features):
    return [k for k in KS if k < n_features]


def make(family, k, shape, n_features):
    A = sklearn_ae
    if family == "linear":
        return A.LinearAE(k, random_state=0)
    if family == "stacked":
        return A.StackedAE(k, random_state=0)
    if family == "custom":
        return A.AutoEncoder(*_mlp_pair(n_features, k), random_state=0)
    if family == "variational":
        return A.VariationalAE(k, random_state=0)
    if family == "conv":
        return A.ConvAE(k, image_shape=shape, random_state=0)
    if family == "recurrent":
        return A.RecurrentAE(k, random_state=0)
    raise ValueError(family)


def run(family, name, X_train, X_test, kind, shape, stacked_cache):
    """Rows (dicts) of one family on one data set."""
    n_features = X_train.shape[1] if X_train.ndim == 2 else int(np.prod(X_train.shape[1:]))
    base = {"family": family, "data": name, "n_train": X_train.shape[0]}
    rows = []

    def record(model, k, seconds, flags, ok, **extra):
        row = {**base, "k": k, "epochs": getattr(model, "n_iter_", None), "fit_s": seconds}
        rows.append({**row, "warnings": flags, "ok": ok, **extra})
        print(json.dumps(rows[-1]), flush=True)

    def stacked(k, init="pca"):
        if (name, k, init) not in stacked_cache:
            model = sklearn_ae.StackedAE(k, init=init, random_state=0)
            stacked_cache[(name, k, init)] = (model, *fit(model, X_train))
        return stacked_cache[(name, k, init)]

    def from_random_start(cls, **params):
        """``cls`` and the plain model, both from a random start (issue 21: at its
        defaults a family must do its job at least as strongly as that)."""
        model = cls(k_purpose, init="random", random_state=0, **params)
        ok = fit(model, X_train)[2]
        return (model if ok else None), stacked(k_purpose, init="random")[0]

    k_purpose = min(PURPOSE_K, n_features - 1)
    if family in ("linear", "stacked", "custom", "variational", "conv"):
        for k in ks_for(n_features):
            if family == "stacked":
                model, seconds, flags, ok = stacked(k)
            else:
                model = make(family, k, shape, n_features)
                seconds, flags, ok = fit(model, X_train)
            extra = {"pca_mse": pca_mse(X_train, X_test, k)}
            if ok:
                extra["mse"] = mse(model.reconstruct(X_test), X_test)
                extra["train_mse"] = mse(model.reconstruct(X_train), X_train)
                if family == "variational":
                    extra["elbo"] = float(model.score(X_test))
            record(model, k, seconds, flags, ok, **extra)
    elif family == "denoising":
        rng = np.random.default_rng(0)
        plain = stacked(k_purpose)[0]
        for noise, level in (("masking", 0.25), ("gaussian", 0.3)):
            # The default is masking 0.25; Gaussian noise is set, as a user would.
            params = {} if noise == "masking" else {"noise": noise, "noise_level": level}
            model = sklearn_ae.DenoisingAE(k_purpose, random_state=0, **params)
            seconds, flags, ok = fit(model, X_train)
            noisy = corrupt(X_test, noise, rng)
            extra = {"noise": noise, "plain_mse": mse(plain.reconstruct(noisy), X_test)}
            extra["plain_clean_mse"] = mse(plain.reconstruct(X_test), X_test)
            if ok:
                extra["mse"] = mse(model.reconstruct(noisy), X_test)
                # transform sees clean rows: the denoiser must not lose them
                extra["clean_mse"] = mse(model.reconstruct(X_test), X_test)
            rand, rand_plain = from_random_start(sklearn_ae.DenoisingAE, **params)
            extra["random_plain_mse"] = mse(rand_plain.reconstruct(noisy), X_test)
            if rand is not None:
                extra["random_mse"] = mse(rand.reconstruct(noisy), X_test)
            record(model, k_purpose, seconds, flags, ok, **extra)
    elif family == "contractive":
        plain = stacked(k_purpose)[0]
        model = sklearn_ae.ContractiveAE(k_purpose, random_state=0)
        seconds, flags, ok = fit(model, X_train)
        extra = {"plain_mse": mse(plain.reconstruct(X_test), X_test)}
        extra["plain_contraction"] = contraction(plain, X_test)
        if ok:
            extra["mse"] = mse(model.reconstruct(X_test), X_test)
            extra["contraction"] = contraction(model, X_test)
        rand, rand_plain = from_random_start(sklearn_ae.ContractiveAE)
        extra["random_plain_contraction"] = contraction(rand_plain, X_test)
        if rand is not None:
            extra["random_contraction"] = contraction(rand, X_test)
            extra["random_mse"] = mse(rand.reconstruct(X_test), X_test)
            # Contracting less than the random start while reconstructing
            # better is no verdict: compare at the random start's error.
            if (
                ok
                and extra["contraction"] > extra["random_contraction"]
                and extra["mse"] < extra["random_mse"]
            ):
                start = (extra["mse"], extra["contraction"])
                matched, points = contraction_at_mse(
                    model, X_train, X_test, extra["random_mse"], start
                )
                extra["contraction_at_random_mse"] = matched
                extra["weight_scan"] = points
        record(model, k_purpose, seconds, flags, ok, **extra)
    elif family == "sparse":
        k = min(32, n_features - 1)
        model = sklearn_ae.SparseAE(k, random_state=0)
        seconds, flags, ok = fit(model, X_train)
        extra = {"pca_mse": pca_mse(X_train, X_test, k), "target": model.sparsity_target}
        if ok:
            codes = model.transform(X_test)
            extra["mse"] = mse(model.reconstruct(X_test), X_test)
            extra["near_zero"] = float(np.mean(np.abs(codes) < 0.05))
            extra["mean_activation"] = float(np.mean(codes))
        record(model, k, seconds, flags, ok, **extra)
    elif family == "recurrent":
        mean_seq = np.nanmean(X_train, axis=0)
        for k in (2, 8):
            model = make(family, k, shape, n_features)
            seconds, flags, ok = fit(model, X_train)
            extra = {"mean_mse": mse(mean_seq, X_test), "mean_train_mse": mse(mean_seq, X_train)}
            if ok:
                extra["mse"] = mse(model.reconstruct(X_test), X_test)
                extra["train_mse"] = mse(model.reconstruct(X_train), X_train)
            record(model, k, seconds, flags, ok, **extra)
    return rows
